/** Run-time settings of the simulator (mutable while it runs: `sim.config.asyncJobDurationMs = 250`). */
export interface SimConfig {
  /** How long an async job stays pending before it runs, ms. Default 20. */
  asyncJobDurationMs: number;
  /** After a createSnapshot job, how long the snapshot stays `BackingUp` before `BackedUp`, ms. Default 0. */
  snapshotBackupDelayMs: number;
  /** A finished job is forgotten after this long (`job.expire.minutes`), ms. Default 1 day. */
  jobExpiryMs: number;
  /** A destroyed (not expunged) VM is expunged after this long (`expunge.delay`), ms. Default 1 day. */
  expungeDelayMs: number;
  /** Data disks a VM may have (hypervisor limit); device ids run 1,2,4..max+1. Default 26. */
  maxDataDisks: number;
  /** `default.page.size`: items per page without paging parameters, and the largest `pagesize`. Default 500. */
  maxPageSize: number;
}

/** The defaults listed on {@link SimConfig}. */
export function defaultSimConfig(): SimConfig {
  return {
    asyncJobDurationMs: 20,
    snapshotBackupDelayMs: 0,
    jobExpiryMs: 24 * 3600_000,
    expungeDelayMs: 24 * 3600_000,
    maxDataDisks: 26,
    maxPageSize: 500,
  };
}
