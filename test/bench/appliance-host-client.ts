import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostMessage } from './appliance-host.js';

type Ready = Extract<HostMessage, { type: 'ready' }>;

/** A running appliance host, seen from the measuring process. */
export interface ApplianceHostClient extends Omit<Ready, 'type'> {
  /** Asks the host to tear everything down and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Forks the appliance host for `vms` contexts and waits until its appliance is ready: the compiled
 * host next to a compiled caller (`run.ts` measures compiled code, as production runs `dist/`),
 * the TypeScript one through tsx otherwise.
 */
export async function startApplianceHost(
  vms: number,
  options: { readonly drift?: boolean } = {},
): Promise<ApplianceHostClient> {
  const args = ['--vms', String(vms), ...(options.drift === false ? ['--no-drift'] : [])];
  const compiled = import.meta.url.endsWith('.js');
  const child = fork(
    fileURLToPath(new URL(compiled ? './appliance-host.js' : './appliance-host.ts', import.meta.url)),
    args,
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
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m: HostMessage) => {
      if (m.type === 'ready') resolve(m);
      else reject(new Error(`appliance host failed: ${m.type === 'error' ? m.message : m.type}`));
    });
    void exited.then(() => {
      reject(new Error('appliance host exited before it was ready'));
    });
  });
  const { type: _t, ...rest } = ready;
  return {
    ...rest,
    close: async () => {
      if (child.connected) child.send({ type: 'close' });
      await exited;
    },
  };
}
