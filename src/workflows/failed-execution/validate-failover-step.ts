/**
 * Step 9: re-reads CloudStack and the database and checks the context against the desired-state
 * invariants of a `ready_for_failover` context (oma-system.md §8). Sets the outcome: `done` when
 * they hold (links the kernel has not shown yet are left to the reconcilers and named), `failed`
 * with exactly what does not hold otherwise.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseKeyFile } from '../../nbd/key-file.js';
import { exportNameFor, isFailoverSnapshotName } from '../../../reconcilers/lib/names.js';
import { completeItems, findVm, findVolume } from '../../cloudstack/find-objects.js';
import type { WorkflowOutcome } from '../run-workflow.js';
import type { WorkflowStep } from '../run-steps.js';
import type { WorkflowRun } from '../workflow-run.js';
import { analysisOf } from './analyse-step.js';
import type { AnalysedVolume } from './failover-analysis.js';
import { writeOperationSummary } from './operation-summary.js';
import { revertedSchema } from './volume-steps.js';

async function exportnameIn(confDir: string, name: string): Promise<string | null> {
  const text = await readFile(join(confDir, `${name}.conf`), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return (
      parseKeyFile(text)
        .groups.find((g) => g.name === name)
        ?.entries.get('exportname') ?? null
    );
  } catch {
    return null;
  }
}

/** What does not hold for one volume: hard problems, and what is deferred to the reconcilers. */
async function checkVolume(
  run: WorkflowRun,
  v: AnalysedVolume,
  oma: string,
): Promise<{ problems: string[]; deferred: string[] }> {
  const cs = run.cloudstack();
  const problems: string[] = [];
  const deferred: string[] = [];
  const live = await findVolume(cs, v.volumeId, run.ctx.signal);
  if (!live) problems.push(`volume ${v.volumeId} does not exist in CloudStack`);
  else if (live.virtualMachineId !== oma) {
    problems.push(
      `volume ${v.volumeId} is ${live.virtualMachineId === null ? 'detached' : `attached to ${live.virtualMachineId}`}, not to the OMA`,
    );
  }
  const path = run.byIdPath(v.volumeId);
  const maps = await run.db
    .selectFrom('device_mappings')
    .select(['vm_id', 'operation_mode', 'device_path'])
    .where('volume_uuid', '=', v.volumeId)
    .execute();
  const [map] = maps;
  if (maps.length !== 1 || map?.vm_id !== oma || map.operation_mode !== 'oma' || map.device_path !== path) {
    problems.push(
      `volume ${v.volumeId} has ${maps.length} device mappings; expected one oma mapping on the OMA at ${path}`,
    );
  }
  const row = await run.db
    .selectFrom('ossea_volumes')
    .select(['snapshot_id', 'status', 'device_path'])
    .where('volume_id', '=', v.volumeId)
    .executeTakeFirst();
  if (row?.snapshot_id != null && row.snapshot_id !== '') {
    problems.push(`ossea_volumes still tracks snapshot ${row.snapshot_id} for volume ${v.volumeId}`);
  }
  const left = completeItems(
    await cs.listSnapshots({ volumeId: v.volumeId }, { signal: run.ctx.signal }),
    `snapshots of volume ${v.volumeId}`,
  ).filter((s) => isFailoverSnapshotName(s.name));
  for (const s of left) problems.push(`failover snapshot ${s.id} (${s.name}) remains on volume ${v.volumeId}`);
  if (
    !(await lstat(path).then(
      () => true,
      () => false,
    ))
  ) {
    deferred.push(
      `by-id link ${path} of volume ${v.volumeId} has not appeared; the missing-nbd-export reconciler exports it once it does`,
    );
    return { problems, deferred };
  }
  const name = exportNameFor(v.volumeId);
  const exports = await run.db
    .selectFrom('nbd_exports')
    .select(['status', 'device_path'])
    .where('export_name', '=', name)
    .execute();
  if (exports.length !== 1 || exports[0]?.status !== 'active' || exports[0].device_path !== path) {
    problems.push(`export ${name} has ${exports.length} nbd_exports rows; expected one active row for ${path}`);
  }
  const configured = await exportnameIn(run.ctx.nbdConfDir, name);
  if (configured !== path) {
    problems.push(
      `export ${name} is ${configured === null ? 'not configured' : `configured for ${configured}`} in ${run.ctx.nbdConfDir}; expected ${path}`,
    );
  }
  return { problems, deferred };
}

/** Step 9 (final transaction): checks the §8 invariants and records the outcome and the GUI summary. */
export const validateFailoverStep: WorkflowStep = {
  name: 'validation',
  title: 'validate the context against the desired state',
  async run(run) {
    const analysis = analysisOf(run);
    const oma = run.omaVmId();
    const problems: string[] = [];
    const deferred: string[] = [];
    for (const v of analysis.volumes) {
      const r = await checkVolume(run, v, oma);
      problems.push(...r.problems);
      deferred.push(...r.deferred);
    }
    for (const vm of analysis.testVms) {
      if (await findVm(run.cloudstack(), vm.id, run.ctx.signal)) {
        problems.push(`test VM ${vm.name} (${vm.id}) still exists`);
      }
    }
    const pending = await run.db
      .selectFrom('failover_jobs')
      .select('job_id')
      .where('vm_context_id', '=', analysis.contextId)
      .where('status', '=', 'pending')
      .execute();
    for (const p of pending) problems.push(`failover job ${p.job_id} of the context is still pending`);
    const ctx = await run.db
      .selectFrom('vm_replication_contexts')
      .select(['current_status', 'current_job_id'])
      .where('context_id', '=', analysis.contextId)
      .executeTakeFirst();
    if (ctx?.current_status !== 'ready_for_failover' || ctx.current_job_id !== null) {
      problems.push(
        `context is ${ctx?.current_status ?? 'missing'} with current job ${ctx?.current_job_id ?? 'none'}; expected ready_for_failover with none`,
      );
    }
    const reverted = Object.keys(run.data('reverted', revertedSchema, {})).length;
    const vms = analysis.testVms.map((v) => v.name).join(', ');
    const summary = `${analysis.vmName} is ready_for_failover: ${analysis.volumes.length} volumes on the OMA, ${reverted} reverted to their snapshots and the snapshots deleted${vms ? `, test VM ${vms} destroyed` : ''}`;
    const outcome: WorkflowOutcome =
      problems.length > 0
        ? {
            status: 'failed',
            message: `cleanup of ${analysis.vmName} finished but the context does not meet the desired state: ${problems.join('; ')}`,
          }
        : {
            status: 'done',
            message: deferred.length > 0 ? `${summary}; left to the reconcilers: ${deferred.join('; ')}` : summary,
          };
    run.setData('outcome', outcome);
    run.setData('validation', { problems, deferred });
    await writeOperationSummary(
      run,
      analysis.contextId,
      outcome.status === 'done'
        ? { status: 'completed', message: outcome.message }
        : { status: 'failed', message: outcome.message, failedStep: 'validation', category: 'validation' },
    );
    return problems.length > 0
      ? `${problems.length} invariants do not hold`
      : `the desired state holds${deferred.length > 0 ? ` (${deferred.length} items left to the reconcilers)` : ''}`;
  },
};
