/**
 * The package's polkit rule, evaluated the way polkitd evaluates rules.d files (a script calling
 * polkit.addRule with a function of action and subject), against the requests systemctl makes.
 */
import { readFile } from 'node:fs/promises';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

type Rule = (action: { id: string; lookup: (key: string) => string | undefined }, subject: { user: string }) => string;

async function loadRule(): Promise<Rule> {
  const text = await readFile(new URL('../../packaging/deb/50-oma-reconciler.rules', import.meta.url), 'utf8');
  const rules: Rule[] = [];
  const polkit = { Result: { YES: 'yes', NO: 'no', NOT_HANDLED: 'not-handled' }, addRule: (r: Rule) => rules.push(r) };
  runInNewContext(text, { polkit });
  expect(rules).toHaveLength(1);
  const rule = rules[0];
  if (!rule) throw new Error('no rule');
  return rule;
}

const manage = (unit: string, verb: string) => ({
  id: 'org.freedesktop.systemd1.manage-units',
  lookup: (key: string) => ({ unit, verb })[key],
});

describe('polkit rule of the package', () => {
  it('lets oma-reconciler restart nbd-server.service', async () => {
    const rule = await loadRule();
    expect(rule(manage('nbd-server.service', 'restart'), { user: 'oma-reconciler' })).toBe('yes');
  });

  it('grants nothing else: other verbs, other units, other users, other actions', async () => {
    const rule = await loadRule();
    for (const verb of ['stop', 'start', 'reload', 'kill']) {
      expect(rule(manage('nbd-server.service', verb), { user: 'oma-reconciler' })).toBe('not-handled');
    }
    expect(rule(manage('mariadb.service', 'restart'), { user: 'oma-reconciler' })).toBe('not-handled');
    expect(rule(manage('nbd-server.service', 'restart'), { user: 'nobody' })).toBe('not-handled');
    const reboot = { id: 'org.freedesktop.login1.reboot', lookup: () => undefined };
    expect(rule(reboot, { user: 'oma-reconciler' })).toBe('not-handled');
  });
});
