import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAuthfile } from '../../src/nbd/authfile.js';
import { observeNbd } from '../../src/nbd/observe-nbd.js';
import { readNbdConfig } from '../../src/nbd/read-nbd-config.js';
import { createNbdSandbox, type NbdSandbox } from '../../src/appliance-world/nbd-sandbox.js';

describe('observeNbd without a running server', () => {
  let srv: NbdSandbox;
  beforeAll(async () => {
    srv = await createNbdSandbox();
  });
  afterAll(async () => {
    await srv.cleanup();
  });

  it('reports configured exports with managed and denied flags, and a stopped server as a fact', async () => {
    const allowed = join(srv.stateDir, 'nbd-auth', 'mine.allow');
    const denied = join(srv.stateDir, 'nbd-auth', 'gone.allow');
    await writeAuthfile(allowed, ['127.0.0.1']);
    await writeAuthfile(denied, []);
    await writeFile(join(srv.confDir, 'mine.conf'), `[mine]\nexportname = /dev/null\nauthfile = ${allowed}\n`);
    await writeFile(join(srv.confDir, 'gone.conf'), `[gone]\nexportname = /dev/null\nauthfile = ${denied}\n`);
    await writeFile(
      join(srv.confDir, 'theirs.conf'),
      '[theirs]\nexportname = /dev/null\nauthfile = /etc/nbd-server/theirs.allow\n',
    );
    const obs = await observeNbd({ ...srv, stateDir: srv.stateDir });
    expect(obs.complete).toBe(true);
    expect(obs.inventory).toBe(4);
    const flags = Object.fromEntries(obs.facts.configured.map((c) => [c.name, [c.managed, c.denied]]));
    expect(flags).toEqual({ dummy: [false, false], mine: [true, false], gone: [true, true], theirs: [false, false] });
    expect(obs.facts.server).toMatchObject({
      running: false,
      pid: null,
      version: null,
      sessions: null,
      liveExports: null,
    });
    expect(obs.facts.server.problem).toMatch(/no pid file/);
    expect(obs.facts.pending).toEqual([]);
  });

  it('is incomplete, with the parse error, when a snippet cannot be loaded', async () => {
    await writeFile(join(srv.confDir, 'broken.conf'), '[broken]\nexportname /dev/null\n');
    const obs = await observeNbd({ ...srv, stateDir: srv.stateDir });
    expect(obs.complete).toBe(false);
    expect(obs.error).toMatch(/broken\.conf: line 2/);
    expect(obs.facts.parseErrors).toEqual([
      { file: join(srv.confDir, 'broken.conf'), error: expect.stringMatching(/not a key-value pair/) },
    ]);
    await rm(join(srv.confDir, 'broken.conf'));
  });

  it('is incomplete with a reason, never empty, when conf.d cannot be read', async () => {
    const obs = await observeNbd({ ...srv, confDir: join(srv.dir, 'missing-conf.d'), stateDir: srv.stateDir });
    expect(obs.complete).toBe(false);
    expect(obs.error).toMatch(/cannot read conf.d .*missing-conf.d.*ENOENT/);
  });
});

describe('readNbdConfig agrees with a real nbd-server about which files count', () => {
  let srv: NbdSandbox;
  beforeAll(async () => {
    srv = await createNbdSandbox();
    const section = async (name: string): Promise<string> =>
      `[${name}]\nexportname = ${await srv.disk(`${name}.img`)}\n`;
    await writeFile(join(srv.confDir, 'A.conf'), await section('A'));
    await writeFile(join(srv.confDir, '.H.conf'), await section('H'));
    await writeFile(join(srv.confDir, '.conf'), await section('X'));
    await writeFile(join(srv.confDir, 'multi.conf'), `${await section('M1')}${await section('M2')}`);
    await writeFile(join(srv.confDir, 'T.conf.tmp'), await section('T'));
    await writeFile(join(srv.confDir, 'U.CONF'), await section('U'));
    await mkdir(join(srv.confDir, 'sub.conf'));
    await writeFile(join(srv.dir, 'outside.conf'), await section('L'));
    await symlink(join(srv.dir, 'outside.conf'), join(srv.confDir, 'L.conf'));
    await srv.start();
  });
  afterAll(async () => {
    await srv.cleanup();
  });

  it('lists the same export names, in the same order', async () => {
    const snap = await readNbdConfig(srv);
    expect(snap.parseErrors).toEqual([]);
    expect(snap.exports.map((e) => e.name)).toEqual(await srv.nbdClientList());
  });
});
