import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startFixture } from '../http/http-fixture.js';
import { runTool } from './run-tool.js';

const root = new URL('../../', import.meta.url);

interface Instruction {
  readonly op: string;
  readonly args: string;
  /** Index of the build stage (FROM) it belongs to. */
  readonly stage: number;
}

/** Instructions of the Dockerfile, continuation lines joined, comments dropped. */
async function instructions(): Promise<Instruction[]> {
  const text = (await readFile(new URL('Dockerfile', root), 'utf8')).replace(/\\\n/g, ' ');
  const out: Instruction[] = [];
  let stage = -1;
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m?.[1] || line.trim().startsWith('#')) continue;
    if (m[1] === 'FROM') stage++;
    out.push({ op: m[1], args: (m[2] ?? '').trim(), stage });
  }
  return out;
}

async function healthcheckCommand(): Promise<string[]> {
  const hc = (await instructions()).find((i) => i.op === 'HEALTHCHECK');
  const json = /CMD\s+(\[.*\])\s*$/.exec(hc?.args ?? '')?.[1];
  if (json === undefined) throw new Error('HEALTHCHECK has no exec-form CMD');
  return JSON.parse(json) as string[];
}

describe('Dockerfile', () => {
  it('builds the single executable in a build stage and ships only that executable', async () => {
    const ins = await instructions();
    const froms = ins.filter((i) => i.op === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const arg = ins.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    expect(arg?.args).toBe('NODE_IMAGE=node:22-bookworm-slim');
    const final = froms.length - 1;
    const runs = (stage: number) =>
      ins
        .filter((i) => i.stage === stage && i.op === 'RUN')
        .map((i) => i.args)
        .join('\n');
    const build = froms.findIndex((f) => f.args.includes('AS build'));
    expect(runs(build)).toMatch(/npm ci\b/);
    expect(runs(build)).toMatch(/npm run build\b/);
    expect(runs(build)).toMatch(/npm run build:binary/);
    // The runtime has no Node.js image, no node_modules, no dist/: the executable alone.
    expect(froms[final]?.args).not.toMatch(/NODE_IMAGE|node:/);
    const finalCopies = ins.filter((i) => i.stage === final && i.op === 'COPY').map((i) => i.args);
    expect(finalCopies).toEqual(['--from=build /app/dist/release/oma-reconciler /usr/bin/oma-reconciler']);
  });

  it('runs as a non-root user with the CLI as entry point and `run` as default command', async () => {
    const ins = await instructions();
    const final = Math.max(...ins.map((i) => i.stage));
    const last = (op: string) => ins.filter((i) => i.stage === final && i.op === op).at(-1)?.args;
    expect(last('USER')).toBeDefined();
    expect(last('USER')).not.toMatch(/^(root|0)(:|$)/);
    expect(last('ENTRYPOINT')).toBe('["oma-reconciler"]');
    expect(last('CMD')).toBe('["run"]');
    const order = ins.filter((i) => i.stage === final).map((i) => i.op);
    expect(order.lastIndexOf('USER')).toBeLessThan(order.indexOf('ENTRYPOINT'));
  });

  it('checks health against /healthz with neither node nor curl', async () => {
    const hc = (await instructions()).find((i) => i.op === 'HEALTHCHECK');
    expect(hc?.args).not.toMatch(/curl|wget/);
    const cmd = await healthcheckCommand();
    expect(cmd[0]).toBe('bash');
    expect(cmd.join(' ')).toContain('/healthz');
  });

  it('has a health check command that passes against a live daemon and fails against a dead port', async () => {
    const [shell, ...args] = await healthcheckCommand();
    const f = await startFixture();
    try {
      const live = await runTool(shell ?? 'bash', args, {
        env: { ...process.env, HTTP_LISTEN: `0.0.0.0:${f.server.address.port}` },
      });
      expect(live.code).toBe(0);
    } finally {
      await f.server.close();
    }
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => {
        resolve((probe.address() as { port: number }).port);
      }),
    );
    await new Promise((resolve) => probe.close(resolve));
    const dead = await runTool(shell ?? 'bash', args, { env: { ...process.env, HTTP_LISTEN: `127.0.0.1:${port}` } });
    expect(dead.code).toBe(1);
  });

  it('copies only files that exist and that .dockerignore does not exclude', async () => {
    const ignore = (await readFile(new URL('.dockerignore', root), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const needed of ['node_modules', '.git', 'dist', 'test']) expect(ignore).toContain(needed);
    const sources = (await instructions())
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(new URL(source, root)), source).toBe(true);
      expect(ignore, source).not.toContain(source);
    }
  });
});
