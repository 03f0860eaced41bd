/**
 * `oma-reconciler demo`: a realistic appliance with one case of each drift kind, then the daemon
 * repairing it while the operator watches drift go to zero. Needs only MariaDB.
 */
import { planPass } from '../engine/run-pass.js';
import { planOnlyPass } from '../engine/plan-only-pass.js';
import { renderPlanTable, toPlanJson } from '../engine/plan-json.js';
import { createLogger } from '../log.js';
import { startReconciler } from '../compose/start-reconciler.js';
import { engineDepsFromConfig } from '../compose/engine-deps-from-config.js';
import { daemonExitCode } from '../daemon/daemon.js';
import type { SignalSource } from '../daemon/signals.js';
import { buildDemo } from './build-demo.js';
import { demoSettings } from './demo-settings.js';
import { summarisePass } from './summarise-pass.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: NodeJS.WritableStream;
  /** Exit once the drift to repair reaches zero (CI, tests); default: run until Ctrl-C. */
  readonly once: boolean;
  /** Give up `once` after this long, ms. Default 180000. */
  readonly timeoutMs?: number;
  readonly signals?: SignalSource | null;
  readonly httpListen?: string;
  /** `demo --config FILE`. */
  readonly configFile?: string;
  /** `demo --log-level LEVEL` (else LOG_LEVEL, else warn). */
  readonly logLevel?: string;
}

/** Runs the demo; resolves with the exit code. */
export async function runDemo(options: DemoOptions): Promise<number> {
  const say = (line = ''): void => {
    options.out.write(`${line}\n`);
  };
  const serverUrl = options.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/migratekit_oma';
  say(`oma-reconciler demo — building a demo appliance in database migratekit_oma_demo`);
  const demo = await buildDemo({
    databaseUrl: serverUrl,
    httpListen: options.httpListen ?? options.env.HTTP_LISTEN ?? '127.0.0.1:9470',
    logLevel: options.logLevel ?? options.env.LOG_LEVEL ?? 'warn',
    ...(options.configFile ? { configFile: options.configFile } : {}),
  });
  const { env, database, config, token } = demo;
  try {
    say(`  CloudStack simulator: ${env.sim.url} (in-process)`);
    say(
      `  Volume Daemon simulator: ${demo.volumeDaemon.url} (the appliance's one path for volume moves, with the real daemon's faults; oma-reconciler finds it and moves volumes through it)`,
    );
    say(
      env.nbd
        ? `  nbd-server ${env.nbd.port} serving ${env.world.exports.length} exports from ${env.dirs.confDir}`
        : '  nbd-server is not installed: skipping the live export list (apt-get install nbd-server)',
    );
    say(
      `  ${env.world.contexts.length} VM contexts, ${env.world.volumes.length} volumes, by-id links in ${env.dirs.byIdDir}`,
    );
    say();
    say('Injected drift, one case of each kind the appliance is known to produce:');
    for (const d of demo.injected) say(`  ${d.kind.padEnd(22)} ${d.what}`);
    const logger = createLogger(config.logLevel, process.stderr);

    const deps = engineDepsFromConfig({
      config,
      database,
      logger,
      actor: 'demo',
    });
    const first = await planPass(deps, planOnlyPass('demo-plan', AbortSignal.timeout(60_000)));
    say();
    say('The plan (nothing has changed yet):');
    options.out.write(renderPlanTable(toPlanJson(first.world, first.gated, first.mode)));
    say();

    const { daemon } = startReconciler({ config, logger, signals: options.signals ?? null, leaderRetryMs: 1_000 });
    await daemon.ready;
    const address = daemon.httpAddress();
    const base = `http://${address?.host ?? '127.0.0.1'}:${address?.port ?? config.httpListen.port}`;
    say(
      `The daemon is running (grace ${demoSettings.graceSeconds} s, quarantine ${demoSettings.quarantineSeconds} s, a pass every few seconds):`,
    );
    say(`  status page  ${base}/`);
    say(`  metrics      ${base}/metrics`);
    say(`  API token    ${token}   (the status page's buttons ask for it)`);
    const live = demo.injected.find((d) => d.what.startsWith('LIVE failover'));
    if (live) {
      say('One failed operation is left for you, on purpose (a live failover is never recovered automatically):');
      say(`  ${live.what}`);
      say(`  open ${base}/ → "Needs you" → Cleanup, paste the API token, confirm; or from a shell:`);
      const vm = /LIVE failover of (\S+)/.exec(live.what)?.[1] ?? 'VM_NAME';
      say(
        `  curl -X POST -H 'Authorization: Bearer ${token}' ${base}/api/v1/failover/${encodeURIComponent(vm)}/cleanup-failed`,
      );
    }
    say('Press Ctrl-C to stop.');
    say();
    let stable = false;
    const settled = new Promise<void>((resolve) => {
      daemon.loop.onPass((summary) => {
        if (!summary.report) return;
        const line = summarisePass(summary.report, daemon.loop);
        say(line.text);
        if (line.toRepair === 0 && !stable) {
          stable = true;
          say();
          say(
            `drift: 0 — everything repairable was repaired; what remains is reported and held by its gate (see ${base}/).`,
          );
          const ops = demo.volumeDaemon.stats.operations;
          say(
            `Volume Daemon operations (every volume move went through it): ${(['attach', 'detach', 'delete'] as const).map((t) => `${t} ${ops[t].completed} completed, ${ops[t].failed} failed`).join('; ')}.`,
          );
          resolve();
        }
      });
    });
    if (options.once) {
      const timer = new Promise<'timeout'>((r) =>
        setTimeout(() => {
          r('timeout');
        }, options.timeoutMs ?? 180_000).unref(),
      );
      const outcome = await Promise.race([
        settled.then(() => 'stable' as const),
        timer,
        daemon.done.then(() => 'stopped' as const),
      ]);
      await daemon.stop(outcome === 'stable' ? 'demo finished' : 'demo timed out');
      if (outcome !== 'stable') say(`the demo did not reach drift 0 (${outcome})`);
      return outcome === 'stable' ? 0 : 1;
    }
    return daemonExitCode(await daemon.done);
  } finally {
    await demo.close();
  }
}
