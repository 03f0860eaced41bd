/**
 * A real, independent client against the simulator (issue 15): Debian's python3-cs signs, pages
 * (more than 500 items), waits for an async job, carries unicode in tags and meets a wrong secret —
 * exactly as it would against CloudStack. `.ci/run` installs python3-cs; without it the test is
 * skipped with a printed reason.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/start-simulator.js';

const PYTHON = '/usr/bin/python3';
const DRIVER = join(import.meta.dirname, 'python-cs', 'drive.py');
const hasPythonCs = existsSync(PYTHON) && existsSync('/usr/lib/python3/dist-packages/cs/client.py');
if (!hasPythonCs) {
  console.warn(
    "python3-cs test skipped: Debian's python3-cs is not installed (.ci/run installs it: apt-get install python3-cs)",
  );
}

interface DriverOutput {
  readonly zones: number;
  readonly volumes: number;
  readonly distinct_volumes: number;
  readonly allocated_with_storage: readonly string[];
  readonly tag_job: unknown;
  readonly tag_back: readonly string[];
  readonly wrong_secret: unknown;
  readonly bad_id: unknown;
}

describe.skipIf(!hasPythonCs)('python3-cs against the simulator', () => {
  let sim: Simulator;
  let volumeId: string;
  let total: number;
  beforeAll(async () => {
    sim = await startSimulator();
    for (let i = 0; i < 520; i++) sim.state.addVolume({ name: `python-cs-${String(i).padStart(3, '0')}` });
    sim.state.addVolume({ name: 'python-cs-allocated', state: 'Allocated' });
    volumeId = sim.state.addVolume({ name: 'python-cs-tagged' }).id;
    total = sim.state.volumes.size;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('signs, pages past 500, waits for a job, round-trips unicode tags, and gets a 401 for a wrong secret', async () => {
    const { stdout } = await promisify(execFile)(PYTHON, [DRIVER, sim.url, sim.apiKey, sim.secretKey, volumeId], {
      timeout: 60_000,
    });
    const out = JSON.parse(stdout) as DriverOutput;
    expect(out.zones).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(500);
    expect([out.volumes, out.distinct_volumes]).toEqual([total, total]);
    // Real CloudStack names no pool (storage, storageid, path) before the volume is on one.
    expect(out.allocated_with_storage).toEqual([]);
    expect(out.tag_job).toBe(true);
    expect(out.tag_back).toEqual(['Zürich ✓ 東京']);
    expect(out.wrong_secret).toEqual({
      status: 401,
      error: { uuidList: [], errorcode: 401, errortext: 'unable to verify user credentials and/or request signature' },
      x_description: null,
    });
    // The error text travels in X-Description as CloudStack sends it: raw, not percent-encoded.
    expect(out.bad_id).toMatchObject({
      status: 431,
      x_description: expect.stringMatching(
        /^Unable to execute API command listvolumes due to invalid value\. Invalid parameter id value=00000000-0000-4000-8000-00000000dead /,
      ) as unknown,
    });
    expect((out.bad_id as { x_description: string; errortext: string }).x_description).toBe(
      (out.bad_id as { errortext: string }).errortext,
    );
  });
});
