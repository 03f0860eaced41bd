/**
 * What the failed-execution cleanup found before touching anything, recorded in the request
 * (`analysis`) and the journal. Later steps act on it, re-checking live state each time.
 */
import { z } from 'zod';

/** A rollback point and where it was learned. */
export const analysedSnapshotSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  /** Where the workflow learned that the snapshot is this failover's rollback point. */
  source: z.enum(['ossea_volumes', 'failover_jobs', 'cloudstack']),
});

/** One volume of the context as the analysis found it. */
export const analysedVolumeSchema = z.object({
  volumeId: z.string(),
  name: z.string(),
  /** False when CloudStack does not have the volume. */
  exists: z.boolean(),
  /** The VM CloudStack says it is attached to (truth; `device_mappings` may disagree, incident 9). */
  attachedTo: z.string().nullable(),
  attachedRole: z.enum(['oma', 'test-vm', 'other']).nullable(),
  deviceId: z.number().nullable(),
  /** The snapshot the volume is reverted to; null when the failover took none. */
  revertTo: analysedSnapshotSchema.nullable(),
  /** Snapshots of this failover deleted once the revert succeeded (the rollback point included). */
  deleteAfterRevert: z.array(z.string()),
  /** Why the volume cannot be rolled back safely (tracked snapshot gone or failed); a human decides. */
  problem: z.string().nullable(),
});

/** A VM the failover created (test VM, or the live failover's destination). */
export const analysedVmSchema = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string().nullable(),
  state: z.string(),
  source: z.enum(['destination_vm_id', 'name']),
  /** Its own template ROOT volumes (not ours), removed if they survive the expunge. */
  rootVolumeIds: z.array(z.string()),
});

/** The whole analysis (validated when read back from the journal or a request record). */
export const failoverAnalysisSchema = z.object({
  kind: z.literal('failed-execution-cleanup'),
  version: z.literal(1),
  analysedAt: z.string(),
  contextId: z.string(),
  vmName: z.string(),
  contextStatus: z.string(),
  omaVmId: z.string().nullable(),
  failover: z.object({
    jobId: z.string(),
    type: z.enum(['test', 'live']),
    status: z.string(),
    destinationVmId: z.string().nullable(),
    createdAt: z.string().nullable(),
    errorMessage: z.string().nullable(),
    trackingStatus: z.string().nullable(),
    trackingStep: z.string().nullable(),
  }),
  volumes: z.array(analysedVolumeSchema),
  testVms: z.array(analysedVmSchema),
  warnings: z.array(z.string()),
});

/** See {@link analysedSnapshotSchema}. */
export type AnalysedSnapshot = z.infer<typeof analysedSnapshotSchema>;
/** See {@link analysedVolumeSchema}. */
export type AnalysedVolume = z.infer<typeof analysedVolumeSchema>;
/** See {@link analysedVmSchema}. */
export type AnalysedVm = z.infer<typeof analysedVmSchema>;
/** See the module comment. */
export type FailoverAnalysis = z.infer<typeof failoverAnalysisSchema>;
