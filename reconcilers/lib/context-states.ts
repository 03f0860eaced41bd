/** Context states (§4.9) that decide where a context's volumes belong (§8). */

/** States in which every volume of the context belongs on the OMA VM. */
export const ON_OMA_STATES: readonly string[] = ['ready_for_failover', 'replicating', 'discovered'];

/** States in which every volume on the OMA must also be exported over NBD. */
export const EXPORTED_STATES: readonly string[] = ['ready_for_failover', 'replicating'];
