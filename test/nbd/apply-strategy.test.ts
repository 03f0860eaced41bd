import { describe, expect, it } from 'vitest';
import { chooseApplyStrategy, type ApplyStrategyInput } from '../../src/nbd/apply-strategy.js';
import { configFileOf } from '../../src/nbd/server-process.js';
import { parseNbdVersion, supportsSafeHup } from '../../src/nbd/server-version.js';

const changes = (add: string[] = [], remove: string[] = [], update: string[] = []): ApplyStrategyInput['changes'] => ({
  add,
  remove,
  update,
});

type Row = [label: string, input: ApplyStrategyInput, hup: string[], restart: boolean, deferred: string[]];

const ROWS: Row[] = [
  ['nothing to do', { version: '3.24', sessions: 3, changes: changes(), allowRestart: true }, [], false, []],
  [
    '3.24 addition, idle, restart allowed → restart, no HUP',
    { version: '3.24', sessions: 0, changes: changes(['a']), allowRestart: true },
    [],
    true,
    [],
  ],
  [
    '3.24 addition, busy → deferred, no HUP',
    { version: '3.24', sessions: 2, changes: changes(['a']), allowRestart: true },
    [],
    false,
    ['add:a'],
  ],
  [
    '3.24 addition, idle, restart not allowed → deferred',
    { version: '3.24', sessions: 0, changes: changes(['a']), allowRestart: false },
    [],
    false,
    ['add:a'],
  ],
  [
    '3.20 addition → no HUP',
    { version: '3.20', sessions: 1, changes: changes(['a']), allowRestart: true },
    [],
    false,
    ['add:a'],
  ],
  [
    'unknown version addition → no HUP',
    { version: null, sessions: 1, changes: changes(['a']), allowRestart: true },
    [],
    false,
    ['add:a'],
  ],
  [
    '3.25 additions, busy → one HUP for all',
    { version: '3.25', sessions: 4, changes: changes(['a', 'b']), allowRestart: true },
    ['a', 'b'],
    false,
    [],
  ],
  [
    '3.26.1 addition, restarts forbidden → HUP',
    { version: '3.26.1', sessions: 0, changes: changes(['a']), allowRestart: false },
    ['a'],
    false,
    [],
  ],
  [
    '3.27.1 addition, idle → HUP, not a restart',
    { version: '3.27.1', sessions: 0, changes: changes(['a']), allowRestart: true },
    ['a'],
    false,
    [],
  ],
  [
    '4.0 addition → HUP',
    { version: '4.0', sessions: 1, changes: changes(['a']), allowRestart: true },
    ['a'],
    false,
    [],
  ],
  [
    '3.26 addition while the HUP handler is not installed → wait',
    { version: '3.26', sessions: 0, changes: changes(['a']), allowRestart: false, hupHandlerInstalled: false },
    [],
    false,
    ['add:a'],
  ],
  [
    '3.26 removal, idle → restart',
    { version: '3.26', sessions: 0, changes: changes([], ['r']), allowRestart: true },
    [],
    true,
    [],
  ],
  [
    '3.26 removal, busy → deferred',
    { version: '3.26', sessions: 1, changes: changes([], ['r']), allowRestart: true },
    [],
    false,
    ['remove:r'],
  ],
  [
    '3.26 addition + removal, busy → HUP adds, removal waits',
    { version: '3.26', sessions: 1, changes: changes(['a'], ['r']), allowRestart: true },
    ['a'],
    false,
    ['remove:r'],
  ],
  [
    '3.26 addition + removal, idle → one restart for both',
    { version: '3.26', sessions: 0, changes: changes(['a'], ['r']), allowRestart: true },
    [],
    true,
    [],
  ],
  [
    '3.24 update, idle → restart',
    { version: '3.24', sessions: 0, changes: changes([], [], ['u']), allowRestart: true },
    [],
    true,
    [],
  ],
  [
    '3.26 update, busy → deferred (HUP never changes an export)',
    { version: '3.26', sessions: 1, changes: changes([], [], ['u']), allowRestart: true },
    [],
    false,
    ['update:u'],
  ],
  [
    'sessions unknown → treated as busy',
    { version: '3.24', sessions: null, changes: changes([], ['r']), allowRestart: true },
    [],
    false,
    ['remove:r'],
  ],
  [
    '3.24 everything, busy → all deferred',
    { version: '3.24', sessions: 1, changes: changes(['a'], ['r'], ['u']), allowRestart: true },
    [],
    false,
    ['remove:r', 'update:u', 'add:a'],
  ],
];

describe('chooseApplyStrategy', () => {
  it.each(ROWS)('%s', (_label, input, hup, restart, deferred) => {
    const decision = chooseApplyStrategy(input);
    expect(decision.hup).toEqual(hup);
    expect(decision.restart).toBe(restart);
    expect(decision.deferred.map((d) => `${d.change}:${d.exportName}`)).toEqual(deferred);
    for (const d of decision.deferred) expect(d.reason.length).toBeGreaterThan(20);
  });

  it('never chooses a HUP for any version up to 3.24, whatever the state', () => {
    for (const version of ['3.20', '3.21', '3.22', '3.23', '3.24', null]) {
      for (const sessions of [0, 1, null]) {
        for (const allowRestart of [true, false]) {
          expect(
            chooseApplyStrategy({ version, sessions, allowRestart, changes: changes(['a', 'b'], ['r']) }).hup,
          ).toEqual([]);
        }
      }
    }
  });

  it('explains a deferral with the reason an operator needs', () => {
    const [busy] = chooseApplyStrategy({
      version: '3.24',
      sessions: 2,
      changes: changes(['a']),
      allowRestart: true,
    }).deferred;
    expect(busy?.reason).toMatch(
      /3\.24 corrupts its heap on SIGHUP \(fixed in 3\.25\).*2 live session\(s\) would be dropped/,
    );
  });
});

describe('nbd-server version', () => {
  it('parses nbd-server -V output and treats 0.unknown as unknown', () => {
    expect(parseNbdVersion('This is nbd-server version 3.24\n')).toBe('3.24');
    expect(parseNbdVersion('This is nbd-server version 3.26.1')).toBe('3.26.1');
    expect(parseNbdVersion('This is nbd-server version 0.unknown')).toBeNull();
    expect(parseNbdVersion('bash: nbd-server: not found')).toBeNull();
  });

  it('allows SIGHUP from 3.25 on only', () => {
    expect(['3.19', '3.24', '2.9', null].map(supportsSafeHup)).toEqual([false, false, false, false]);
    expect(['3.25', '3.26.1', '3.27', '4.0'].map(supportsSafeHup)).toEqual([true, true, true, true]);
  });
});

describe('configFileOf', () => {
  it('finds the main config a running nbd-server reads from its argv', () => {
    expect(configFileOf(['/usr/bin/nbd-server'])).toBe('/etc/nbd-server/config');
    expect(configFileOf(['/usr/bin/nbd-server', '-C', '/etc/nbd-server/config-base', '-p', '/run/x.pid'])).toBe(
      '/etc/nbd-server/config-base',
    );
    expect(configFileOf(['nbd-server', '-C/tmp/c'])).toBe('/tmp/c');
    expect(configFileOf(['nbd-server', '--config-file=/tmp/d'])).toBe('/tmp/d');
    expect(configFileOf(['nbd-server', '--config-file', 'rel/e'])).toBe('/rel/e');
  });
});
