import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';
import type { CleanupRequestRecord } from '../../world/world.js';
import { ANNOTATION } from '../../../reconcilers/lib/names.js';

/** A request record update (the row outlives the job row a cleanup may delete). */
export interface CleanupRequestUpdate {
  readonly jobId: string;
  readonly jobKind: 'replication' | 'failover';
  readonly status: CleanupRequestRecord['status'];
  readonly message: string | null;
  readonly contextId?: string | null;
  readonly vmName?: string | null;
  readonly requestedBy?: string | null;
  readonly keepVolumes?: boolean;
  readonly trackingJobId?: string | null;
  readonly analysis?: unknown;
  readonly journal?: unknown;
}

const TABLE_OF = { replication: 'replication_jobs', failover: 'failover_jobs' } as const;

/**
 * Upserts the request record and writes the status back into the job row's annotations (while the
 * row exists). The annotation keys are set with JSON_SET, so the operator's own keys stay.
 */
export async function writeCleanupStatus(db: Kysely<DB>, u: CleanupRequestUpdate, now: Date): Promise<void> {
  const values = {
    job_id: u.jobId,
    job_kind: u.jobKind,
    status: u.status,
    message: u.message,
    ...(u.contextId !== undefined ? { context_id: u.contextId } : {}),
    ...(u.vmName !== undefined ? { vm_name: u.vmName } : {}),
    ...(u.requestedBy !== undefined ? { requested_by: u.requestedBy } : {}),
    ...(u.keepVolumes !== undefined ? { keep_volumes: u.keepVolumes ? 1 : 0 } : {}),
    ...(u.trackingJobId !== undefined ? { tracking_job_id: u.trackingJobId } : {}),
    ...(u.analysis !== undefined ? { analysis: JSON.stringify(u.analysis) } : {}),
    ...(u.journal !== undefined ? { journal: JSON.stringify(u.journal) } : {}),
    updated_at: now,
  };
  const { job_id: _id, job_kind: _kind, ...update } = values;
  await db.insertInto('oma_reconciler_cleanup_requests').values(values).onDuplicateKeyUpdate(update).execute();
  const table = TABLE_OF[u.jobKind];
  const idColumn = u.jobKind === 'replication' ? 'id' : 'job_id';
  await sql`
    update ${sql.table(table)}
    set annotations = json_set(coalesce(annotations, '{}'),
      ${`$."${ANNOTATION.cleanupStatus}"`}, ${u.status},
      ${`$."${ANNOTATION.cleanupMessage}"`}, ${u.message ?? ''},
      ${`$."${ANNOTATION.cleanupHandledAt}"`}, ${now.toISOString()})
    where ${sql.ref(idColumn)} = ${u.jobId}`.execute(db);
}

/** A request record as `cleanup status` and `GET /api/v1/cleanups/{job_id}` show it. */
export interface CleanupRequestView {
  readonly job_id: string;
  readonly job_kind: string;
  readonly status: string;
  readonly message: string | null;
  readonly context_id: string | null;
  readonly vm_name: string | null;
  readonly requested_by: string | null;
  readonly keep_volumes: boolean;
  readonly tracking_job_id: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly analysis: unknown;
  /** The workflow's steps with their status (from job_steps of the tracking job). */
  readonly steps: readonly { readonly name: string; readonly status: string; readonly error: string | null }[];
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}

/** Reads one request with its workflow steps; null when none was recorded for that job. */
export async function readCleanupRequest(db: Kysely<DB>, jobId: string): Promise<CleanupRequestView | null> {
  const r = await db
    .selectFrom('oma_reconciler_cleanup_requests')
    .selectAll()
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  if (!r) return null;
  const steps = r.tracking_job_id
    ? await db
        .selectFrom('job_steps')
        .select(['name', 'status', 'error_message'])
        .where('job_id', '=', r.tracking_job_id)
        .orderBy('seq')
        .execute()
    : [];
  return {
    job_id: r.job_id,
    job_kind: r.job_kind,
    status: r.status,
    message: r.message,
    context_id: r.context_id,
    vm_name: r.vm_name,
    requested_by: r.requested_by,
    keep_volumes: r.keep_volumes === 1,
    tracking_job_id: r.tracking_job_id,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    analysis: parseJson(r.analysis),
    steps: steps.map((s) => ({ name: s.name, status: s.status, error: s.error_message })),
  };
}
