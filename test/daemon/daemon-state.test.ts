import { describe, expect, it } from 'vitest';
import { DaemonStateMachine, IllegalStateError } from '../../src/daemon/daemon-state.js';

describe('DaemonStateMachine', () => {
  it('walks starting → running → stopping → stopped and tells listeners', () => {
    const m = new DaemonStateMachine();
    const seen: string[] = [];
    m.onChange((state, from) => seen.push(`${from}→${state}`));
    m.transition('running');
    m.transition('stopping');
    m.transition('stopped');
    expect(seen).toEqual(['starting→running', 'running→stopping', 'stopping→stopped']);
  });

  it('throws on an illegal transition and stays where it was', () => {
    const m = new DaemonStateMachine();
    expect(() => {
      m.transition('stopped');
    }).toThrow(IllegalStateError);
    expect(m.state).toBe('starting');
    m.transition('failed');
    expect(() => {
      m.transition('running');
    }).toThrow(/failed → running/);
    expect(m.can('stopping')).toBe(false);
  });
});
