/**
 * Child process that builds and holds a benchmark appliance (database, simulator, files, nbd-server)
 * for a measuring process, so the simulator's CPU and the builder's memory never count as the
 * reconciler's. Started with IPC: `fork(appliance-host.ts, ['--vms', N])`. It sends
 * `{ type: 'ready', handle, injected, buildSeconds }` (or `{ type: 'error', message }`), and closes
 * everything on `{ type: 'close' }` or when the parent goes away.
 */
import { parseArgs } from 'node:util';
import { buildBenchAppliance, type BenchAppliance } from './bench-appliance.js';
import type { ApplianceHandle } from './bench-config.js';

/** Messages of the host. */
export type HostMessage =
  | {
      readonly type: 'ready';
      readonly handle: ApplianceHandle;
      readonly injected: Readonly<Record<string, number>>;
      readonly buildSeconds: number;
      readonly counts: Readonly<Record<string, number>>;
    }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'closed' };

function send(message: HostMessage): void {
  if (process.connected) process.send?.(message);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { vms: { type: 'string' }, 'no-drift': { type: 'boolean' } } });
  const vms = Number(values.vms);
  if (!Number.isInteger(vms) || vms < 1) throw new RangeError('--vms N (a positive integer) is required');
  let appliance: BenchAppliance | null = null;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await appliance?.close();
      send({ type: 'closed' });
      if (process.connected) process.disconnect();
    })();
    return closing;
  };
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'close') void close();
  });
  process.on('disconnect', () => void close());
  appliance = await buildBenchAppliance({ vms, drift: values['no-drift'] !== true });
  const { env } = appliance;
  send({
    type: 'ready',
    handle: {
      databaseUrl: appliance.database.url,
      baseConfig: env.dirs.baseConfig,
      confDir: env.dirs.confDir,
      pidFile: env.dirs.pidFile,
      byIdDir: env.dirs.byIdDir,
      stateDir: env.dirs.stateDir,
      nbdPort: appliance.nbdPort,
      simBaseUrl: env.sim.baseUrl,
      volumeDaemonUrl: appliance.volumeDaemon.url,
    },
    injected: appliance.injected,
    buildSeconds: appliance.buildSeconds,
    counts: { ...env.sim.state.counts(), exports: env.world.exports.length },
  });
}

main().catch((e: unknown) => {
  send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exitCode = 1;
  if (process.connected) process.disconnect();
});
