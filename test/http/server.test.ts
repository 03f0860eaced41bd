import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePlan } from '../daemon/fake-engine.js';
import { TOKEN, callsOf, readJson, startFixture, type HttpFixture } from './http-fixture.js';

/** Every metric name of the operator contract (docs/contract.md, "Metrics"). */
const CONTRACT_METRICS = [
  'drift_objects',
  'drift_oldest_first_seen_timestamp_seconds',
  'actions_total',
  'actions_blocked_total',
  'passes_total',
  'pass_duration_seconds',
  'last_successful_pass_timestamp_seconds',
  'source_up',
  'source_last_complete_timestamp_seconds',
  'cloudstack_requests_total',
  'cloudstack_request_duration_seconds',
  'cleanup_requests',
  'leader',
  'mode',
  'build_info',
].map((n) => `oma_reconciler_${n}`);

let f: HttpFixture;

beforeAll(async () => {
  f = await startFixture();
});

afterAll(async () => {
  await f.server.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe('probes and metrics', () => {
  it('serves every contract metric on /metrics, with the Prometheus content type', async () => {
    const res = await fetch(f.url('/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of CONTRACT_METRICS) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('oma_reconciler_build_info{version="0.0.0-test",commit="unknown"} 1');
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('answers /healthz while the process runs', async () => {
    const res = await fetch(f.url('/healthz'));
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 with the named checks when everything is healthy', async () => {
    const res = await fetch(f.url('/readyz'));
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(body).toMatchObject({ status: 'ready', state: 'running', role: 'leader' });
    expect(Object.keys(body.checks as object).sort()).toEqual(['cloudstack', 'database', 'leadership', 'nbd']);
  });

  it('answers /readyz 503 naming the failing check, and lets an operator exclude a check', async () => {
    f.engine.checkResults = { ...f.engine.checkResults, cloudstack: { ok: false, detail: 'connection refused' } };
    try {
      const res = await fetch(f.url('/readyz'));
      expect(res.status).toBe(503);
      const body = await readJson(res);
      expect(body.status).toBe('not ready');
      expect(body.checks.cloudstack).toEqual({ ok: false, detail: 'connection refused' });
      expect((await fetch(f.url('/readyz?exclude=cloudstack'))).status).toBe(200);
    } finally {
      f.engine.checkResults = { ...f.engine.checkResults, cloudstack: { ok: true } };
    }
  });

  it('answers /readyz 503 when the leader lock session is down or the daemon is stopping', async () => {
    f.leadership = { leader: false, connected: false, connectionId: null, lastError: 'connect ECONNREFUSED' };
    const down = await fetch(f.url('/readyz'));
    expect(down.status).toBe(503);
    expect((await readJson(down)).checks.leadership).toEqual({
      ok: false,
      detail: 'leader lock session down: connect ECONNREFUSED',
    });
    f.leadership = { leader: false, connected: true, connectionId: 2, lastError: null };
    const standby = await fetch(f.url('/readyz'));
    expect(standby.status).toBe(200);
    expect((await readJson(standby)).role).toBe('standby');
    f.lifecycle = 'stopping';
    expect((await fetch(f.url('/readyz'))).status).toBe(503);
    f.lifecycle = 'running';
    f.leadership = { leader: true, connected: true, connectionId: 1, lastError: null };
  });
});

describe('read-only API', () => {
  it('answers 503 on /api/v1/plan before the first pass, then serves the plan', async () => {
    f.engine.plan = null;
    const before = await fetch(f.url('/api/v1/plan'));
    expect(before.status).toBe(503);
    expect(await readJson(before)).toMatchObject({ error: 'no_plan' });
    f.engine.plan = samplePlan();
    const after = await fetch(f.url('/api/v1/plan'));
    expect(after.status).toBe(200);
    expect((await readJson(after)).drift[0].kind).toBe('orphan-volume');
  });

  it('passes ?limit to the actions query and refuses a limit that is not a number in range', async () => {
    const res = await fetch(f.url('/api/v1/actions?limit=5'));
    expect(res.status).toBe(200);
    expect((await readJson(res)).actions).toHaveLength(1);
    expect(callsOf(f.engine, 'recentActions').at(-1)).toEqual([5]);
    for (const bad of ['abc', '0', '100000', '-1']) {
      const r = await fetch(f.url(`/api/v1/actions?limit=${bad}`));
      expect(r.status).toBe(400);
      expect(await readJson(r)).toMatchObject({ error: 'invalid_parameter' });
    }
  });

  it('explains a known subject and answers 404 for an unknown one', async () => {
    expect((await fetch(f.url('/api/v1/explain/v1'))).status).toBe(200);
    const unknown = await fetch(f.url('/api/v1/explain/nothing-here'));
    expect(unknown.status).toBe(404);
    expect(await readJson(unknown)).toMatchObject({ error: 'not_found' });
  });

  it('serves a cleanup status and refuses a job id with forbidden characters', async () => {
    expect(await readJson(await fetch(f.url('/api/v1/cleanups/job-1')))).toEqual({ jobId: 'job-1', status: 'done' });
    expect((await fetch(f.url('/api/v1/cleanups/job-2'))).status).toBe(404);
    expect((await fetch(f.url('/api/v1/cleanups/job%201'))).status).toBe(400);
  });

  it('answers unknown routes 404 and wrong methods 405, always as JSON {error, message}', async () => {
    const missing = await fetch(f.url('/api/v1/nope'));
    expect(missing.status).toBe(404);
    expect(Object.keys((await readJson(missing)) as object).sort()).toEqual(['error', 'message']);
    const wrong = await fetch(f.url('/api/v1/plan'), { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('serves a placeholder page at / until the status page is plugged in', async () => {
    const res = await fetch(f.url('/'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('oma-reconciler');
  });

  it('hides internal errors behind a 500 with the JSON error shape', async () => {
    const original = f.engine.explain.bind(f.engine);
    f.engine.explain = () => Promise.reject(new Error('ER_NO_SUCH_TABLE: secret detail'));
    try {
      const res = await fetch(f.url('/api/v1/explain/v1'));
      expect(res.status).toBe(500);
      const body = await readJson(res);
      expect(body.error).toBe('internal');
      expect(JSON.stringify(body)).not.toContain('secret detail');
    } finally {
      f.engine.explain = original;
    }
  });
});

describe('mutating API', () => {
  const jobCleanup = '/api/v1/jobs/job-42/cleanup';

  it('refuses a request without a token with 401 and never calls the engine', async () => {
    const before = f.engine.calls.length;
    const res = await fetch(f.url(jobCleanup), { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await readJson(res)).toMatchObject({ error: 'unauthorized' });
    const gui = await fetch(f.url('/api/v1/failover/web01/cleanup-failed'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(gui.status).toBe(401);
    expect(f.engine.calls.length).toBe(before);
  });

  it('refuses a wrong token, or one of another length, with 401 and never calls the engine', async () => {
    const before = f.engine.calls.length;
    for (const token of [`${TOKEN.slice(0, -1)}X`, 'short', `${TOKEN}extra`]) {
      const res = await fetch(f.url(jobCleanup), { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
    }
    expect(
      (await fetch(f.url(jobCleanup), { method: 'POST', headers: { authorization: `Basic ${TOKEN}` } })).status,
    ).toBe(401);
    expect(f.engine.calls.length).toBe(before);
  });

  it('records a job cleanup request with the right token', async () => {
    const res = await fetch(f.url(jobCleanup), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ keep_volumes: true, by: 'alice' }),
    });
    expect(res.status).toBe(202);
    expect(await readJson(res)).toEqual({
      job_id: 'job-42',
      outcome: 'accepted',
      status: 'accepted',
      message: 'cleanup requested',
    });
    expect(callsOf(f.engine, 'requestJobCleanup').at(-1)).toEqual(['job-42', 'alice', true]);
  });

  it('accepts an empty body and defaults who asked to "api"', async () => {
    const res = await fetch(f.url(jobCleanup), { method: 'POST', headers: auth });
    expect(res.status).toBe(202);
    expect(callsOf(f.engine, 'requestJobCleanup').at(-1)).toEqual(['job-42', 'api', false]);
  });

  it('maps cleanup outcomes to HTTP statuses', async () => {
    const cases = [
      ['already-requested', 200],
      ['not-found', 404],
      ['refused', 409],
    ] as const;
    for (const [outcome, status] of cases) {
      f.engine.jobCleanupAnswer = { outcome, status: null, message: outcome };
      expect((await fetch(f.url(jobCleanup), { method: 'POST', headers: auth })).status).toBe(status);
    }
    f.engine.jobCleanupAnswer = { outcome: 'accepted', status: 'accepted', message: 'cleanup requested' };
  });

  it('refuses unknown body fields, wrong types, non-JSON bodies and oversized bodies before calling the engine', async () => {
    const before = f.engine.calls.length;
    const post = (body: string, type = 'application/json') =>
      fetch(f.url(jobCleanup), { method: 'POST', headers: { ...auth, 'content-type': type }, body });
    expect((await post(JSON.stringify({ keep_volumes: 'yes' }))).status).toBe(400);
    expect((await post(JSON.stringify({ delete_everything: true }))).status).toBe(400);
    expect((await post('{not json')).status).toBe(400);
    expect((await post('keep_volumes=true', 'application/x-www-form-urlencoded')).status).toBe(415);
    const big = await post(JSON.stringify({ by: 'x'.repeat(20_000) }));
    expect(big.status).toBe(413);
    expect(await readJson(big)).toMatchObject({ error: 'payload_too_large' });
    expect(f.engine.calls.length).toBe(before);
  });

  it('answers the OMA GUI cleanup-failed route with {success, message, vm_name, job_id, status} and passes ?wait on', async () => {
    const res = await fetch(f.url('/api/v1/failover/web01/cleanup-failed?wait=30'), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(202);
    expect(await readJson(res)).toEqual({
      success: true,
      message: 'cleanup accepted',
      vm_name: 'web01',
      job_id: 'failover-1',
      status: 'accepted',
    });
    expect(callsOf(f.engine, 'requestFailedExecutionCleanup').at(-1)?.slice(0, 3)).toEqual(['web01', 'api', 30]);
    f.engine.failedCleanupAnswer = {
      success: true,
      message: 'Failed execution cleanup completed for web01',
      job_id: 'failover-1',
      status: 'done',
    };
    expect(
      (await fetch(f.url('/api/v1/failover/web01/cleanup-failed'), { method: 'POST', headers: auth })).status,
    ).toBe(200);
    f.engine.failedCleanupAnswer = {
      success: false,
      message: 'no failed execution for this VM',
      job_id: null,
      status: 'not-found',
    };
    const none = await fetch(f.url('/api/v1/failover/web02/cleanup-failed'), { method: 'POST', headers: auth });
    expect(none.status).toBe(404);
    expect(await readJson(none)).toMatchObject({ success: false, vm_name: 'web02', job_id: null });
    expect(
      (await fetch(f.url('/api/v1/failover/web01/cleanup-failed?wait=100000'), { method: 'POST', headers: auth }))
        .status,
    ).toBe(400);
  });

  it('hands a hostile vm_name to the engine as plain data', async () => {
    const hostile = "x'; DROP TABLE failover_jobs; -- ../../etc/passwd $(reboot) <script>";
    const res = await fetch(f.url(`/api/v1/failover/${encodeURIComponent(hostile)}/cleanup-failed`), {
      method: 'POST',
      headers: auth,
    });
    expect(res.status).toBeLessThan(500);
    expect((await readJson(res)).vm_name).toBe(hostile);
    expect(callsOf(f.engine, 'requestFailedExecutionCleanup').at(-1)?.[0]).toBe(hostile);
    const control = await fetch(f.url('/api/v1/failover/web%0A01/cleanup-failed'), { method: 'POST', headers: auth });
    expect(control.status).toBe(400);
    expect(
      (await fetch(f.url(`/api/v1/failover/${'a'.repeat(256)}/cleanup-failed`), { method: 'POST', headers: auth }))
        .status,
    ).toBe(400);
  });
});

describe('without a configured token', () => {
  it('answers mutating routes 403 and never calls the engine', async () => {
    const g = await startFixture({ apiToken: null });
    try {
      for (const path of ['/api/v1/jobs/job-1/cleanup', '/api/v1/failover/web01/cleanup-failed']) {
        const res = await fetch(g.url(path), { method: 'POST', headers: auth });
        expect(res.status).toBe(403);
        expect(await readJson(res)).toMatchObject({ error: 'forbidden' });
      }
      expect(g.engine.calls).toEqual([]);
      expect((await fetch(g.url('/api/v1/explain/v1'))).status).toBe(200);
    } finally {
      await g.server.close();
    }
  });
});
