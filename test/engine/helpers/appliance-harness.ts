/**
 * A whole appliance (MariaDB + CloudStack simulator + conf.d + by-id links + real nbd-server) with
 * the reconcile engine wired to it the way the CLI wires it, for integration tests. Passes run
 * through `runPass`/`planPass`; `cli()` runs the real command line in-process.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import type { Config } from '../../../src/config/config-schema.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createEngineDeps, type CreateEngineDepsOptions } from '../../../src/engine/create-engine-deps.js';
import type { EngineDeps, EnginePassOptions } from '../../../src/engine/engine-deps.js';
import { planPass, runPass, type CompletedPass } from '../../../src/engine/run-pass.js';
import {
  startApplianceEnv,
  type ApplianceEnv,
  type ApplianceEnvOptions,
} from '../../../src/appliance-world/appliance-env.js';
import { createLogger, type Logger } from '../../../src/log.js';
import { createWorkflows } from '../../../src/workflows/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  readonly spec?: ApplianceEnvOptions['spec'];
  /** Written to a JSON config file (`--config`) that both the engine and `cli()` use. */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * Runs once the appliance is up and before the engine is wired; what it returns is merged into
   * `config` (e.g. the URL of a Volume Daemon simulator started on this appliance).
   */
  readonly beforeEngine?: (env: ApplianceEnv, db: TestDatabase) => Promise<Readonly<Record<string, unknown>>>;
  /** Volume Daemon client options of the engine (fast polling). */
  readonly volumeDaemonTuning?: CreateEngineDepsOptions['volumeDaemonTuning'];
  /** The engine's logger (default: silent). */
  readonly logger?: Logger;
}

/** Per-pass options a test may set (everything else is filled in). */
export type PassOverrides = Partial<Omit<EnginePassOptions, 'passId' | 'signal'>>;

/** What `cli()` returns. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running appliance with its engine. */
export interface Harness {
  readonly db: TestDatabase;
  readonly env: ApplianceEnv;
  readonly config: Config;
  readonly deps: EngineDeps;
  readonly omaVmId: string;
  readonly configFile: string | null;
  /** Observe + diff + gates (no write at all), grace 0 unless overridden. */
  plan(overrides?: PassOverrides): ReturnType<typeof planPass>;
  /** One acting pass as the leader, grace 0 unless overridden; by-id links synced first. */
  pass(overrides?: PassOverrides): Promise<CompletedPass>;
  /** Acting passes until one executes nothing and nothing more would run (at most `max`); returns every pass. */
  applyUntilStable(overrides?: PassOverrides, max?: number): Promise<CompletedPass[]>;
  /** Runs `oma-reconciler ARGV` in-process against this appliance (`--config` added when set). */
  cli(argv: readonly string[], extraEnv?: Readonly<Record<string, string>>): Promise<CliRun>;
  close(): Promise<void>;
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { stream, text: () => text };
}

/** Starts a fresh database and appliance and wires the engine to them; call `close()` in afterEach. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const env = await startApplianceEnv({
    db: db.db,
    databaseUrl: db.url,
    ...(options.spec ? { spec: options.spec } : {}),
  });
  const extra = options.beforeEngine ? await options.beforeEngine(env, db) : null;
  const fileConfig = options.config || extra ? { ...options.config, ...extra } : null;
  const configFile = fileConfig ? join(env.dirs.root, 'oma-reconciler.json') : null;
  if (configFile) await writeFile(configFile, JSON.stringify(fileConfig));
  const config = loadConfig({ file: configFile ?? undefined, env: env.env() });
  const deps = createEngineDeps({
    config,
    database: db,
    logger: options.logger ?? createLogger('silent'),
    workflows: createWorkflows(),
    actor: 'test',
    ...(options.volumeDaemonTuning ? { volumeDaemonTuning: options.volumeDaemonTuning } : {}),
    // Test seam: the simulator answers at once, so poll and back off quickly.
    cloudstackTuning: {
      poll: { initialMs: 10, factor: 1.5, maxMs: 100 },
      retry: { retries: 3, minDelayMs: 5, maxDelayMs: 20, factor: 2 },
    },
  });
  const base = (overrides: PassOverrides, act: boolean): EnginePassOptions => ({
    passId: `test-${randomUUID()}`,
    signal: AbortSignal.timeout(120_000),
    act,
    isLeader: true,
    fence: () => Promise.resolve(true),
    graceOverride: 0,
    ...overrides,
  });
  const pass = async (overrides: PassOverrides = {}): Promise<CompletedPass> => {
    await env.syncDevices();
    const result = await runPass(deps, base(overrides, true));
    await env.syncDevices();
    return result;
  };
  const omaVmId = env.world.omaVm.id;
  return {
    db,
    env,
    config,
    deps,
    omaVmId,
    configFile,
    plan: async (overrides = {}) => {
      await env.syncDevices();
      return planPass(deps, base(overrides, false));
    },
    pass,
    applyUntilStable: async (overrides = {}, max = 5) => {
      const passes: CompletedPass[] = [];
      for (let i = 0; i < max; i++) {
        const result = await pass(overrides);
        passes.push(result);
        // Stable: nothing executed, and nothing would run now (a pass may unblock the next one,
        // e.g. by recording an object in the ownership ledger).
        if (result.executed.some((e) => e.result !== 'dry_run')) continue;
        const next = await planPass(deps, base(overrides, false));
        if (!next.gated.some((d) => d.actions.some((a) => a.decision === 'run'))) return passes;
      }
      throw new Error(`not stable after ${max} passes; last executed: ${JSON.stringify(passes.at(-1)?.executed)}`);
    },
    cli: async (argv, extraEnv = {}) => {
      await env.syncDevices();
      const out = sink();
      const err = sink();
      const args = configFile ? [...argv, '--config', configFile] : [...argv];
      const code = await runCli(args, { stdout: out.stream, stderr: err.stream, env: env.env(extraEnv) });
      await env.syncDevices();
      return { code, stdout: out.text(), stderr: err.text() };
    },
    close: async () => {
      await env.close();
      await db.drop();
    },
  };
}

/**
 * Gives each test of the calling suite a fresh appliance, settled by one acting pass (ledger and
 * first-seen times recorded), and closes it after the test: `useSettledHarness((s) => (h = s))`.
 */
export function useSettledHarness(assign: (harness: Harness) => void): void {
  let current: Harness | null = null;
  beforeEach(async () => {
    current = await startHarness();
    assign(current);
    await current.pass();
  });
  afterEach(async () => {
    await current?.close();
    current = null;
  });
}
