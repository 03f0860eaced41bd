/**
 * What the replication-job cleanup found before touching anything: everything the job owns, whether
 * its volumes are deleted or kept (and why), which exports go, and how the context will read after.
 */
import { z } from 'zod';

/** One volume the job owns. */
export const analysedJobVolumeSchema = z.object({
  volumeId: z.string(),
  name: z.string(),
  /** `ossea_volumes.id`. */
  rowId: z.string(),
  diskId: z.string().nullable(),
  exists: z.boolean(),
  attachedTo: z.string().nullable(),
  attachedRole: z.enum(['oma', 'other']).nullable(),
});

/** One export of the job's volumes and whether it stays. */
export const analysedExportSchema = z.object({
  name: z.string(),
  volumeId: z.string().nullable(),
  /** Kept when its volume is kept on the OMA of a context that stays exported. */
  keep: z.boolean(),
});

/** The whole analysis (validated when read back). */
export const replicationAnalysisSchema = z.object({
  kind: z.literal('replication-job-cleanup'),
  version: z.literal(1),
  analysedAt: z.string(),
  jobId: z.string(),
  jobStatus: z.string(),
  replicationType: z.string(),
  contextId: z.string(),
  vmName: z.string().nullable(),
  contextStatus: z.string().nullable(),
  omaVmId: z.string().nullable(),
  /** The volumes the job owns (its disks' volumes; every volume of the context for its only job). */
  volumes: z.array(analysedJobVolumeSchema),
  /** True when the volumes are detached and deleted. */
  deleteVolumes: z.boolean(),
  /** Why they are kept (keep-volumes, or an earlier completed job whose replica they hold). */
  keepReason: z.string().nullable(),
  otherCompletedJobs: z.array(z.string()),
  exports: z.array(analysedExportSchema),
  /** Rows that reference the job and go with it (counts, for the record). */
  rows: z.object({
    vmDisks: z.number(),
    nbdExports: z.number(),
    failoverJobs: z.number(),
    deviceMappings: z.number(),
    osseaVolumes: z.number(),
  }),
  /** The newest other job, which the context's kept disk rows move to. */
  newestOtherJobId: z.string().nullable(),
  /** The context status once the job is gone (null = left as it is). */
  recomputedStatus: z.string().nullable(),
  warnings: z.array(z.string()),
});

/** See {@link analysedJobVolumeSchema}. */
export type AnalysedJobVolume = z.infer<typeof analysedJobVolumeSchema>;
/** See the module comment. */
export type ReplicationAnalysis = z.infer<typeof replicationAnalysisSchema>;
