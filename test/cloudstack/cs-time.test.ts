import { describe, expect, it } from 'vitest';
import { parseCsTimestamp } from '../../src/cloudstack/cs-time.js';

/** The general rule (Date.parse of the offset written with a colon), for comparison. */
function viaDate(value: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\+(\d{2})(\d{2})$/.exec(value);
  if (!m) return null;
  const time = Date.parse(`${m[1] ?? ''}+${m[2] ?? ''}:${m[3] ?? ''}`);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

describe('CloudStack UTC timestamps', () => {
  it('reads the usual +0000 form exactly as the general rule does, for every month, day and hour', () => {
    for (let month = 0; month < 12; month++) {
      for (let day = 1; day <= 31; day++) {
        const value = `2025-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(day % 24).padStart(2, '0')}:${String((day * 7) % 60).padStart(2, '0')}:59+0000`;
        expect(parseCsTimestamp(value)).toBe(viaDate(value));
      }
    }
  });

  it('rolls an impossible date over the way Date.parse does (February 30 is March 2)', () => {
    expect(parseCsTimestamp('2021-02-30T00:00:00+0000')).toBe('2021-03-02T00:00:00.000Z');
    expect(parseCsTimestamp('2020-02-29T12:00:00+0000')).toBe('2020-02-29T12:00:00.000Z');
  });

  it('leaves other zones, fractions and padding to the general rule', () => {
    expect(parseCsTimestamp('2013-04-16T16:25:57-0700')).toBe('2013-04-16T23:25:57.000Z');
    expect(parseCsTimestamp('2021-10-04T09:24:38.250+0000')).toBe('2021-10-04T09:24:38.250Z');
    expect(parseCsTimestamp(' 2021-10-04T09:24:38+0000 ')).toBe('2021-10-04T09:24:38.000Z');
    expect(parseCsTimestamp('2021-10-04T24:00:00+0000')).toBe(viaDate('2021-10-04T24:00:00+0000'));
  });
});
