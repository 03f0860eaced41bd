import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ApplianceHandle } from './bench-config.js';
import type { FloorPlan } from './io-floor.js';
import type { FloorReply, FloorRequest } from './floor-worker.js';

/** The floor worker seen from the measuring process. */
export interface FloorWorkerClient {
  /** Replays the floor once; wall and CPU seconds as the floor process measured them. */
  run(): Promise<{ readonly wallSeconds: number; readonly cpuSeconds: number }>;
  close(): Promise<void>;
}

function ask(child: ChildProcess, request: FloorRequest): Promise<FloorReply> {
  return new Promise((resolve, reject) => {
    const onExit = () => {
      reject(new Error('floor worker exited'));
    };
    child.once('exit', onExit);
    child.once('message', (m: FloorReply) => {
      child.off('exit', onExit);
      if (m.type === 'error') reject(new Error(`floor worker: ${m.message}`));
      else resolve(m);
    });
    child.send(request);
  });
}

/** Forks `floor-worker` (compiled next to a compiled caller, through tsx otherwise) and hands it the plan. */
export async function startFloorWorker(plan: FloorPlan, handle: ApplianceHandle): Promise<FloorWorkerClient> {
  const compiled = import.meta.url.endsWith('.js');
  const child = fork(
    fileURLToPath(new URL(compiled ? './floor-worker.js' : './floor-worker.ts', import.meta.url)),
    [],
    {
      execArgv: compiled ? [] : ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  await ask(child, { type: 'init', plan, handle });
  return {
    run: async () => {
      const m = await ask(child, { type: 'run' });
      if (m.type !== 'done') throw new Error(`floor worker answered ${m.type}`);
      return { wallSeconds: m.wallSeconds, cpuSeconds: m.cpuSeconds };
    },
    close: async () => {
      if (child.connected) child.send({ type: 'close' });
      await exited;
    },
  };
}
