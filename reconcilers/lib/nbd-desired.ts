/**
 * The desired NBD exports (§8.3): one `migration-vol-<uuid>` per `ossea_volumes` volume of an
 * exported-state context that CloudStack shows attached to the (confirmed) OMA VM, at its by-id path.
 */
import type { Policy } from '../../src/reconcile/types.js';
import type { ContextRow, CsVolume, OsseaVolumeRow } from '../../src/world/world.js';
import { byIdPath } from '../../src/world/by-id.js';
import { EXPORTED_STATES } from './context-states.js';
import { exportNameFor } from './names.js';
import type { OmaVm } from './oma-vm.js';
import { derivedOnce, type WorldIndex } from './world-index.js';

/** One export the appliance should serve. */
export interface DesiredExport {
  readonly exportName: string;
  readonly devicePath: string;
  readonly row: OsseaVolumeRow;
  readonly context: ContextRow;
  readonly volume: CsVolume;
}

/**
 * Exports by name for `ossea_volumes` volumes attached to the OMA VM, limited to contexts in `states`
 * (default: the exported states); `null` accepts any state — the orphan rule uses that, so an export
 * of one of our volumes on the OMA is never removed just because its row is missing.
 */
export function desiredExports(
  idx: WorldIndex,
  policy: Policy,
  oma: OmaVm,
  states: readonly string[] | null = EXPORTED_STATES,
): ReadonlyMap<string, DesiredExport> {
  // Worked out once a pass for any state; a state filter reuses those entries (same rows, same order).
  const on = `${String(oma.verified)} ${oma.id ?? ''} ${policy.deviceByIdDir}`;
  const all = derivedOnce(idx, `desired-exports * ${on}`, () => exportsOnOma(idx, policy, oma, null));
  if (states === null) return all;
  return derivedOnce(idx, `desired-exports ${states.join(',')} ${on}`, () =>
    exportsOnOma(idx, policy, oma, states, all),
  );
}

/**
 * Every `ossea_volumes` volume of a context in `states` (null: any) that CloudStack shows attached to
 * the confirmed OMA VM; entries of `shared` made for the same row are reused rather than rebuilt.
 */
function exportsOnOma(
  idx: WorldIndex,
  policy: Policy,
  oma: OmaVm,
  states: readonly string[] | null,
  shared?: ReadonlyMap<string, DesiredExport>,
): ReadonlyMap<string, DesiredExport> {
  const out = new Map<string, DesiredExport>();
  if (!oma.verified || oma.id === null) return out;
  for (const row of idx.world.database.osseaVolumes) {
    const context = idx.contexts.get(row.vmContextId);
    const volume = idx.csVolumes.get(row.volumeId);
    if (
      !context ||
      (states !== null && !states.includes(context.currentStatus)) ||
      volume?.virtualMachineId !== oma.id
    ) {
      continue;
    }
    const exportName = exportNameFor(row.volumeId);
    const reused = shared?.get(exportName);
    out.set(
      exportName,
      reused?.row === row
        ? reused
        : { exportName, devicePath: byIdPath(row.volumeId, policy.deviceByIdDir), row, context, volume },
    );
  }
  return out;
}
