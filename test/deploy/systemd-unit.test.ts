import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config-schema.js';
import { runTool } from './run-tool.js';

const unitPath = fileURLToPath(new URL('../../systemd/oma-reconciler.service', import.meta.url));
/** The most exposure `systemd-analyze security` may report for our unit. */
const MAX_EXPOSURE = 3.5;

/** `Key=value` settings of the unit (repeated keys keep every value), comments dropped. */
async function unitSettings(): Promise<Map<string, string[]>> {
  const settings = new Map<string, string[]>();
  for (const line of (await readFile(unitPath, 'utf8')).split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (!m?.[1]) continue;
    settings.set(m[1], [...(settings.get(m[1]) ?? []), m[2] ?? '']);
  }
  return settings;
}

describe('systemd unit', () => {
  it(`has a systemd-analyze security exposure of at most ${MAX_EXPOSURE}`, async () => {
    // --offline works without systemd as PID 1 and without the ExecStart binary installed.
    const r = await runTool('systemd-analyze', ['security', '--offline=true', '--no-pager', unitPath]);
    const m = /Overall exposure level for oma-reconciler\.service: (\d+(?:\.\d+)?)/.exec(r.stdout + r.stderr);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    const exposure = Number(m?.[1]);
    console.log(`systemd-analyze security: oma-reconciler.service exposure ${exposure} (limit ${MAX_EXPOSURE})`);
    expect(r.stderr).not.toMatch(/Unknown key|Unknown section|Failed to parse/);
    expect(exposure).toBeLessThanOrEqual(MAX_EXPOSURE);
  });

  it('restarts on failure, stops within 90 s and gives in-flight actions less than that', async () => {
    const s = await unitSettings();
    expect(s.get('Restart')).toEqual(['on-failure']);
    expect(s.get('TimeoutStopSec')).toEqual(['90']);
    expect(s.get('EnvironmentFile')).toEqual(['-/etc/oma-reconciler/env']);
    const graceMs = configSchema.parse({}).schedule.shutdownGraceMs;
    expect(graceMs).toBeLessThan(90_000);
  });

  it('writes only to the nbd-server export directory and its state directory, and keeps only CAP_KILL', async () => {
    const s = await unitSettings();
    expect(s.get('ProtectSystem')).toEqual(['strict']);
    expect(s.get('ReadWritePaths')).toEqual(['/etc/nbd-server/conf.d']);
    expect(s.get('StateDirectory')).toEqual(['oma-reconciler']);
    expect(s.get('CapabilityBoundingSet')).toEqual(['CAP_KILL']);
    expect(s.get('RestrictAddressFamilies')).toEqual(['AF_UNIX AF_INET AF_INET6']);
    expect(s.get('UMask')).toEqual(['0077']);
    expect(s.get('SystemCallFilter')?.[0]).toBe('@system-service');
    // V8's JIT needs writable+executable memory.
    expect(s.has('MemoryDenyWriteExecute')).toBe(false);
    // nbd-server's /proc/<pid> must stay visible to validate its PID before signalling it.
    expect(s.get('ProtectProc')).toEqual(['default']);
  });

  it('has an example environment file naming only contract variables', async () => {
    const text = await readFile(new URL('../../systemd/oma-reconciler.env.example', import.meta.url), 'utf8');
    const names = [...text.matchAll(/^#?([A-Z][A-Z_]+)=/gm)].map((m) => m[1]);
    const { ENV_KEYS } = await import('../../src/config/load-config.js');
    expect(names.filter((n) => n !== undefined && !(n in ENV_KEYS))).toEqual([]);
    expect(names).toContain('DATABASE_URL');
    expect(names).toContain('API_TOKEN');
  });
});
