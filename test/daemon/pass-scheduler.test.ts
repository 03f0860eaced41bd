import { describe, expect, it } from 'vitest';
import type { PassTrigger } from '../../src/reconcile/engine-port.js';
import { PassScheduler } from '../../src/daemon/pass-scheduler.js';

describe('PassScheduler', () => {
  it('runs one pass at a time and turns any number of triggers during a pass into one follow-up', async () => {
    const ran: PassTrigger[] = [];
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const firstStarted = new Promise<void>((r) => {
      started = r;
    });
    let active = 0;
    let maxActive = 0;
    const s = new PassScheduler(async (trigger) => {
      ran.push(trigger);
      active++;
      maxActive = Math.max(maxActive, active);
      if (ran.length === 1) {
        const held = new Promise<void>((r) => {
          release = r;
        });
        started();
        await held;
      }
      active--;
    });
    expect(s.request('startup')).toBe('started');
    await firstStarted;
    expect(s.request('nbd-change')).toBe('queued');
    expect(s.request('annotation')).toBe('coalesced');
    expect(s.request('schedule')).toBe('coalesced');
    release();
    while (s.current) await s.current;
    expect(ran).toEqual(['startup', 'nbd-change']);
    expect(maxActive).toBe(1);
  });

  it('drops the queued follow-up and refuses new requests once closed', async () => {
    const ran: PassTrigger[] = [];
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const firstStarted = new Promise<void>((r) => {
      started = r;
    });
    const s = new PassScheduler(async (trigger) => {
      ran.push(trigger);
      const held = new Promise<void>((r) => {
        release = r;
      });
      started();
      await held;
    });
    s.request('startup');
    await firstStarted;
    s.request('schedule');
    s.close();
    expect(s.request('annotation')).toBe('closed');
    release();
    await s.current;
    expect(ran).toEqual(['startup']);
    expect(s.running).toBe(false);
  });

  it('keeps scheduling after a pass function that throws', async () => {
    const ran: PassTrigger[] = [];
    const s = new PassScheduler((trigger) => {
      ran.push(trigger);
      return Promise.reject(new Error('defect'));
    });
    s.request('startup');
    await s.current;
    s.request('schedule');
    await s.current;
    expect(ran).toEqual(['startup', 'schedule']);
  });
});
