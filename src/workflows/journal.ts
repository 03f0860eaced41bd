/**
 * The journal of a workflow run, kept in the request record (`oma_reconciler_cleanup_requests.journal`):
 * the steps completed and what each recorded, so a later pass (or another leader) resumes at the
 * first unfinished step instead of repeating side effects.
 */
import { z } from 'zod';
import { parseJsonColumn } from '../db/queries/json-column.js';
import type { WorkflowKind } from './workflow-options.js';

const journalSchema = z.object({
  version: z.literal(1),
  workflow: z.enum(['failed-execution-cleanup', 'replication-job-cleanup']),
  trackingJobId: z.string(),
  startedAt: z.string(),
  completed: z.array(z.string()),
  /** Per-step data (analysis, reverted snapshots, links that never appeared…), keyed by the step's choice. */
  data: z.record(z.string(), z.unknown()),
  /** Set when a step stopped the run for a human (`WorkflowStopError`). */
  stopped: z.object({ step: z.string(), reason: z.string() }).nullable(),
  /** Set when the run reached an outcome; a new request then starts a fresh journal. */
  finished: z.object({ at: z.string(), status: z.enum(['done', 'failed', 'refused']), message: z.string() }).nullable(),
});

/** One run's progress (mutated in place while the run goes on, persisted after every step). */
export type Journal = z.infer<typeof journalSchema>;

/** A fresh journal. */
export function newJournal(workflow: WorkflowKind, trackingJobId: string, now: Date): Journal {
  return {
    version: 1,
    workflow,
    trackingJobId,
    startedAt: now.toISOString(),
    completed: [],
    data: {},
    stopped: null,
    finished: null,
  };
}

/** The journal in a JSON column, or null when absent, of another workflow or unreadable. */
export function parseJournal(value: unknown, workflow: WorkflowKind): Journal | null {
  const parsed = journalSchema.safeParse(parseJsonColumn(value));
  return parsed.success && parsed.data.workflow === workflow ? parsed.data : null;
}

/** A deep copy (a transaction works on a copy, so a rollback leaves the caller's journal as it was). */
export function cloneJournal(journal: Journal): Journal {
  return structuredClone(journal);
}

/** Reads step data through a schema; absent or malformed data gives `fallback`. */
export function journalData<T>(journal: Journal, key: string, schema: z.ZodType<T>, fallback: T): T {
  const parsed = schema.safeParse(journal.data[key]);
  return parsed.success ? parsed.data : fallback;
}
