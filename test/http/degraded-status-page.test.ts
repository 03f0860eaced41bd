/**
 * The status page degrades instead of failing (issue 15): with the database gone (a TCP proxy in
 * front of the real MariaDB is cut), `GET /` still answers 200 with the error — naming the server —
 * and the last good plan with its age, while `/readyz` answers 503.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReconciler, type RunningReconciler } from '../../src/compose/start-reconciler.js';
import { loadConfig } from '../../src/config/load-config.js';
import { renderDegradedPage } from '../../src/http/degraded-status-page.js';
import { createLogger } from '../../src/log.js';
import { startHarness, type Harness } from '../engine/helpers/appliance-harness.js';

/** A TCP proxy to the test MariaDB that can be cut (every connection dropped, new ones refused). */
async function databaseProxy(target: URL): Promise<{ port: number; cut: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 3306), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    cut: async () => {
      const closed = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

describe('the status page with the database gone', () => {
  let h: Harness;
  let running: RunningReconciler | null = null;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await running?.daemon.stop('test done');
    running = null;
    await h.close();
  });

  it('answers 200 with the error and the last good plan and its age; /readyz answers 503', async () => {
    const url = new URL(h.db.url);
    const proxy = await databaseProxy(url);
    const proxied = `mysql://root@127.0.0.1:${proxy.port}${url.pathname}`;
    const config = loadConfig({
      env: h.env.env({ DATABASE_URL: proxied, HTTP_LISTEN: '127.0.0.1:0', RECONCILE_MODE: 'observe' }),
    });
    const r = startReconciler({ config, logger: createLogger('silent'), signals: null, leaderRetryMs: 500 });
    running = r;
    await r.daemon.ready;
    await new Promise<void>((resolve) =>
      r.daemon.loop.onPass(() => {
        resolve();
      }),
    );
    const base = `http://127.0.0.1:${r.daemon.httpAddress()?.port ?? 0}`;
    expect((await fetch(`${base}/`)).status).toBe(200);

    await proxy.cut();
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('oma-reconciler — degraded');
    expect(text).toMatch(
      new RegExp(
        `cannot be built right now: database root@127\\.0\\.0\\.1:${proxy.port}/\\w+ unreachable: connect ECONNREFUSED 127\\.0\\.0\\.1:${proxy.port} \\(ECONNREFUSED, errno -111\\)`,
      ),
    );
    expect(text).toMatch(/Last good plan — observed [0-9T:.-]+Z, \d+ s ago/);
    expect(text).toContain('no drift');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
  });
});

describe('the degraded page', () => {
  it('escapes the error and says when there is no plan yet', () => {
    const text = renderDegradedPage('<script>x</script>', null, new Date());
    expect(text).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(text).toContain('No pass has completed since the daemon started');
  });
});
