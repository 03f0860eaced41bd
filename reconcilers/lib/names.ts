/**
 * Naming rules of the appliance (oma-system.md §3.4, §4.7, §5.2) and the annotation keys of the
 * operator contract. Pure string functions only.
 */

/** Prefix of the current per-volume export name (`migration-vol-<volume uuid>`). */
export const VOLUME_EXPORT_PREFIX = 'migration-vol-';

/** Annotation keys of the operator contract. */
export const ANNOTATION = {
  cleanup: 'oma-reconciler/cleanup',
  keepVolumes: 'oma-reconciler/keep-volumes',
  paused: 'oma-reconciler/paused',
  cleanupStatus: 'oma-reconciler/cleanup-status',
  cleanupMessage: 'oma-reconciler/cleanup-message',
  cleanupHandledAt: 'oma-reconciler/cleanup-handled-at',
} as const;

/** CloudStack volume tag written by `quarantine-volume` (ISO time of the quarantine). */
export const QUARANTINE_TAG = 'oma-reconciler/quarantined-at';

/** The export name the Volume Daemon uses for a volume. */
export function exportNameFor(volumeId: string): string {
  return `${VOLUME_EXPORT_PREFIX}${volumeId}`;
}

/** The volume id inside a current export name, or null for any other name. */
export function volumeIdFromExportName(name: string): string | null {
  return name.startsWith(VOLUME_EXPORT_PREFIX) && name.length > VOLUME_EXPORT_PREFIX.length
    ? name.slice(VOLUME_EXPORT_PREFIX.length)
    : null;
}

/** Exports the reconciler never touches: the base config's `dummy`/`generic` and Sendense backups. */
export function isProtectedExportName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'dummy' || lower === 'generic' || lower.startsWith('backup-');
}

/** Older appliance exports (`migration-vm-<uuid>-disk<N>`, `migration-<job>`): reported, never changed. */
export function isLegacyExportName(name: string): boolean {
  return name.startsWith('migration-') && volumeIdFromExportName(name) === null;
}

/** Snapshots the failover engines create (`multi-test-failover-*`, legacy `test-failover-*`). */
export function isFailoverSnapshotName(name: string): boolean {
  return name.startsWith('multi-test-failover-') || name.startsWith('test-failover-');
}

/** Volumes the migration workflow creates are named `migration-…` (§5.2). */
export function isMigrationVolumeName(name: string): boolean {
  return name.startsWith('migration-');
}

/**
 * The appliance's `SanitizeVMName` (§4.7): lowercase, anything outside `[a-z0-9-]` becomes `-`,
 * repeats collapse, `-` trimmed, `vm-` prefixed before a leading digit, cut to 63, trailing `-` trimmed.
 */
export function sanitizeVmName(name: string): string {
  let s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (/^[0-9]/.test(s)) s = `vm-${s}`;
  return s.slice(0, 63).replace(/-+$/, '');
}

/** The unix time of a `…-test-<10 digits>` name, or null. */
export function testVmUnixSuffix(name: string): string | null {
  return /-test-(\d{10})$/.exec(name)?.[1] ?? null;
}
