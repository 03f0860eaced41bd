/**
 * An appliance (MariaDB + CloudStack simulator + conf.d + by-id links kept in step by a udev
 * stand-in + real nbd-server) with what the workflows need around it: an actuator context built the
 * way a pass builds it, the engine wired with `createWorkflows`, and an observer that runs every
 * reconciler over a fresh world (the §8 invariants, checked the way the daemon checks them).
 */
import { randomUUID } from 'node:crypto';
import { CloudStackClient } from '../../../src/cloudstack/cloudstack-client.js';
import type { Config } from '../../../src/config/config-schema.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { ActuatorContext } from '../../../src/engine/actuators/actuator-context.js';
import { createEngineDeps } from '../../../src/engine/create-engine-deps.js';
import type { EngineDeps } from '../../../src/engine/engine-deps.js';
import { observeWorld } from '../../../src/engine/observe-world.js';
import { runPass, type CompletedPass } from '../../../src/engine/run-pass.js';
import type { DriftItem } from '../../../src/reconcile/types.js';
import { startApplianceEnv, type ApplianceEnv } from '../../../src/appliance-world/appliance-env.js';
import type { ApplianceWorldSpec } from '../../../src/appliance-world/appliance-world-spec.js';
import { createLogger } from '../../../src/log.js';
import { NbdExportManager } from '../../../src/nbd/nbd-export-manager.js';
import type { ApplyPendingResult } from '../../../src/nbd/nbd-outcome.js';
import { createWorkflows, type WorkflowOptions } from '../../../src/workflows/index.js';
import type { World } from '../../../src/world/world.js';
import { diffAll } from '../../../reconcilers/index.js';
import { policyFromConfig } from '../../../reconcilers/lib/policy-from-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/** A context as a pass gives it to an actuator, plus the port under test. */
export type TestActuatorContext = ActuatorContext & { readonly nbdTouched: { value: boolean; allowRestart: boolean } };

export interface WorkflowHarness {
  readonly db: TestDatabase;
  readonly env: ApplianceEnv;
  readonly config: Config;
  readonly omaVmId: string;
  readonly cs: CloudStackClient;
  readonly nbd: NbdExportManager;
  /** Options every workflow port of this harness gets (short waits, the env's by-id dir). */
  readonly workflowOptions: WorkflowOptions;
  /** A fresh actuator context (new `nbdTouched`) whose workflows use `options` on top of the harness's. */
  ctx(options?: WorkflowOptions): TestActuatorContext;
  /** What the pass does at its end when an actuator touched exports: one coalesced reload. */
  applyNbd(): Promise<ApplyPendingResult>;
  /** A fresh world from every source. */
  observe(): Promise<World>;
  /** The drift every reconciler finds for one context now (empty = the desired state holds). */
  driftOf(contextId: string): Promise<DriftItem[]>;
  /** The engine wired like the daemon, with this harness's workflows. */
  readonly deps: EngineDeps;
  /** One acting pass as the leader, grace 0. */
  pass(): Promise<CompletedPass>;
  close(): Promise<void>;
}

/** Starts a fresh database and appliance; call `close()` in afterAll/afterEach. */
export async function startWorkflowHarness(
  spec: Omit<ApplianceWorldSpec, 'confDir' | 'byIdDir' | 'cloudstack' | 'omaVmId'>,
): Promise<WorkflowHarness> {
  const db = await createTestDatabase();
  const env = await startApplianceEnv({ db: db.db, databaseUrl: db.url, spec });
  const config = loadConfig({ env: env.env() });
  const omaVmId = env.world.omaVm.id;
  const tuning = {
    poll: { initialMs: 5, factor: 1.5, maxMs: 50 },
    retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20, factor: 2 },
  };
  const cs = new CloudStackClient({
    apiUrl: env.sim.url,
    apiKey: env.sim.apiKey,
    secretKey: env.sim.secretKey,
    ...tuning,
  });
  const nbdOptions = {
    baseConfig: env.dirs.baseConfig,
    confDir: env.dirs.confDir,
    pidFile: env.dirs.pidFile,
    address: { host: '127.0.0.1', port: env.nbdPort },
    stateDir: env.dirs.stateDir,
  };
  const nbd = new NbdExportManager(nbdOptions);
  const logger = createLogger('silent');
  const workflowOptions: WorkflowOptions = {
    policy: policyFromConfig(config),
    byIdWaitMs: 5_000,
    stopTimeoutMs: 2_000,
    snapshotWaitMs: 2_000,
    pollMs: 10,
  };
  const deps = createEngineDeps({
    config,
    database: db,
    logger,
    workflows: createWorkflows(workflowOptions),
    actor: 'test',
    cloudstackTuning: tuning,
  });
  const observe = async (): Promise<World> => {
    await env.syncDevices();
    return observeWorld({
      db: db.db,
      cloudstack: () => Promise.resolve({ client: cs, omaVmId }),
      nbd: nbdOptions,
      deviceByIdDir: env.dirs.byIdDir,
      clock: () => new Date(),
    });
  };
  return {
    db,
    env,
    config,
    omaVmId,
    cs,
    nbd,
    workflowOptions,
    deps,
    ctx: (options = {}) => ({
      db: db.db,
      cloudstack: cs,
      omaVmId,
      nbd,
      clock: () => new Date(),
      signal: AbortSignal.timeout(60_000),
      logger,
      nbdPort: env.nbdPort,
      nbdConfDir: env.dirs.confDir,
      quarantineTtlSeconds: config.quarantineTtlSeconds,
      nbdTouched: { value: false, allowRestart: false },
      workflows: createWorkflows({ ...workflowOptions, ...options }),
      deviceByIdDir: env.dirs.byIdDir,
    }),
    applyNbd: () => nbd.applyPending({ allowRestart: true }),
    observe,
    driftOf: async (contextId) => {
      const world = await observe();
      return diffAll(world, policyFromConfig(config), new Date()).filter((d) => d.contextId === contextId);
    },
    pass: async () => {
      await env.syncDevices();
      const result = await runPass(deps, {
        passId: `test-${randomUUID()}`,
        signal: AbortSignal.timeout(120_000),
        act: true,
        isLeader: true,
        fence: () => Promise.resolve(true),
        graceOverride: 0,
      });
      await env.syncDevices();
      return result;
    },
    close: async () => {
      await env.close();
      await db.drop();
    },
  };
}
