/** The reconcilers' policy, derived from the validated configuration (no I/O). */
import type { Config } from '../../src/config/config-schema.js';
import type { Policy } from '../../src/reconcile/types.js';

/**
 * Builds the `Policy` the reconcilers read. `omaVmId` is the configured override (`OMA_VM_ID`) or
 * null, in which case the reconcilers use the world's id (the active `ossea_configs` row).
 */
export function policyFromConfig(config: Config): Policy {
  return {
    omaVmId: config.cloudstack.omaVmId ?? null,
    quarantineTtlSeconds: config.quarantineTtlSeconds,
    stuckReplicationSeconds: config.thresholds.stuckReplicationSeconds,
    stuckFailoverSeconds: config.thresholds.stuckFailoverSeconds,
    stuckVirtioSeconds: config.thresholds.stuckVirtioSeconds,
    staleVolumeOperationSeconds: config.thresholds.staleVolumeOperationSeconds,
    volumeOperationSettleSeconds: config.thresholds.volumeOperationSettleSeconds,
    applianceJobStaleSeconds: config.thresholds.applianceJobStaleSeconds,
    deviceByIdDir: config.deviceByIdDir,
    stateDir: config.stateDir,
    nbdConfDir: config.nbd.confDir,
  };
}
