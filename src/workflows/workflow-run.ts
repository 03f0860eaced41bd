/**
 * One run of a workflow: the actuator context, the database handle it writes through (the pool, or
 * the transaction of the final steps), the journal, and the request record it keeps current.
 */
import { volumeWriterOf } from '../engine/actuators/volume-writer-of.js';
import type { VolumeWriter } from '../volume-ops/volume-writer.js';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { CloudStackClient } from '../cloudstack/cloudstack-client.js';
import type { DB } from '../db/schema-types.js';
import { requireCloudStack, type ActuatorContext } from '../engine/actuators/actuator-context.js';
import { writeCleanupStatus } from '../engine/store/cleanup-requests.js';
import { byIdPath } from '../world/by-id.js';
import { cloneJournal, journalData, type Journal } from './journal.js';
import { WorkflowCancelledError } from './workflow-errors.js';
import type { ResolvedWorkflowOptions, WorkflowKind } from './workflow-options.js';

/** What a workflow is about: the request key and where it belongs. */
export interface WorkflowSubject {
  readonly kind: WorkflowKind;
  /** The request record's key: a replication job id or a failover job id. */
  readonly jobId: string;
  readonly jobKind: 'replication' | 'failover';
  readonly contextId: string | null;
  readonly vmName: string | null;
}

/** Request statuses a run writes. */
export type RequestStatus = 'accepted' | 'running' | 'done' | 'failed' | 'refused';

/** See the module comment. */
export class WorkflowRun {
  /** The step being run (for messages when it fails). */
  currentStep: { readonly name: string; readonly title: string } | null = null;
  #message = '';

  constructor(
    readonly ctx: ActuatorContext,
    readonly db: Kysely<DB>,
    readonly subject: WorkflowSubject,
    readonly journal: Journal,
    readonly options: ResolvedWorkflowOptions,
    readonly totalSteps: number,
  ) {}

  get trackingJobId(): string {
    return this.journal.trackingJobId;
  }

  now(): Date {
    return this.ctx.clock();
  }

  /** The CloudStack client; throws (transient) when CloudStack is not available this pass. */
  cloudstack(): CloudStackClient {
    return requireCloudStack(this.ctx);
  }

  /** The one writer of volume moves (the Volume Daemon when in use); every attach, detach and delete goes through it. */
  volumes(): VolumeWriter {
    return volumeWriterOf(this.ctx, { byIdWaitMs: this.options.byIdWaitMs, pollMs: this.options.pollMs });
  }

  /** The OMA VM id; a missing one stops the run (every attach decision depends on it, incident 12). */
  omaVmId(): string {
    if (this.ctx.omaVmId === null) throw new Error('the OMA VM id is unknown (ossea_configs.oma_vm_id / OMA_VM_ID)');
    return this.ctx.omaVmId;
  }

  /** The by-id link of a volume on the OMA, under the context's (or the options') by-id directory. */
  byIdPath(volumeId: string): string {
    return byIdPath(volumeId, this.ctx.deviceByIdDir ?? this.options.policy.deviceByIdDir);
  }

  /** Step data recorded earlier in the journal. */
  data<T>(key: string, schema: z.ZodType<T>, fallback: T): T {
    return journalData(this.journal, key, schema, fallback);
  }

  /** Records step data (persisted with the next `persist`/`saveProgress`). */
  setData(key: string, value: unknown): void {
    this.journal.data[key] = value;
  }

  /** Writes the request record: status, message, journal, tracking job (and the job row's annotations). */
  async persist(
    status: RequestStatus,
    message: string,
    extra: { readonly analysis?: unknown; readonly requestedBy?: string } = {},
  ): Promise<void> {
    this.#message = message;
    await writeCleanupStatus(
      this.db,
      {
        jobId: this.subject.jobId,
        jobKind: this.subject.jobKind,
        status,
        message,
        contextId: this.subject.contextId,
        vmName: this.subject.vmName,
        trackingJobId: this.trackingJobId,
        journal: this.journal,
        ...(extra.analysis === undefined ? {} : { analysis: extra.analysis }),
        ...(extra.requestedBy === undefined ? {} : { requestedBy: extra.requestedBy }),
      },
      this.now(),
    );
  }

  /** Persists the journal mid-step (e.g. after each volume's revert) without changing the message. */
  async saveProgress(): Promise<void> {
    await this.persist('running', this.#message);
  }

  /** Throws {@link WorkflowCancelledError} when an operator cancelled the request. */
  async checkCancelled(): Promise<void> {
    const row = await this.db
      .selectFrom('oma_reconciler_cleanup_requests')
      .select('cancelled')
      .where('job_id', '=', this.subject.jobId)
      .executeTakeFirst();
    if (row?.cancelled === 1) throw new WorkflowCancelledError('the request was cancelled by an operator');
  }

  /** The same run writing through `db` (a transaction) on a copy of the journal. */
  withDb(db: Kysely<DB>): WorkflowRun {
    const copy = new WorkflowRun(this.ctx, db, this.subject, cloneJournal(this.journal), this.options, this.totalSteps);
    copy.#message = this.#message;
    return copy;
  }
}
