/** Steps of a unified failover once the VM is validated (and, for a live one, powered off and synced). */
const FROM_MODE_SWITCH = [
  'volume-mode-switch-failover',
  'multi-volume-snapshot-creation',
  'virtio-driver-injection',
  'vm-creation',
  'volume-attachment',
  'vm-startup-and-validation',
  'status-update',
] as const;

/** Step names of a successful unified failover, in order (`job_steps.name`), per failover type. */
export const FAILOVER_STEPS = {
  test: ['validation', ...FROM_MODE_SWITCH],
  live: ['validation', 'source-vm-power-off', 'final-sync', ...FROM_MODE_SWITCH],
} as const;
