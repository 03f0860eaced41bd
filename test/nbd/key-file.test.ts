import { describe, expect, it } from 'vitest';
import { parseKeyFile } from '../../src/nbd/key-file.js';
import {
  decodeKeyFileString,
  parseKeyFileBoolean,
  parseKeyFileInt64,
  parseKeyFileInteger,
} from '../../src/nbd/key-file-values.js';

const groupsOf = (text: string): [string, Record<string, string>][] =>
  parseKeyFile(text).groups.map((g) => [g.name, Object.fromEntries(g.entries)]);

describe('parseKeyFile (the GKeyFile subset nbd-server reads)', () => {
  it('reads sections, keys, comments, blank lines and indentation', () => {
    const text = '# top comment\n\n[generic]\n\tport = 10809\n  [A]\n  exportname=/dev/x\n   # indented comment\n';
    expect(groupsOf(text)).toEqual([
      ['generic', { port: '10809' }],
      ['A', { exportname: '/dev/x' }],
    ]);
  });

  it('strips leading whitespace of a value but keeps trailing whitespace, quotes and # literally', () => {
    expect(groupsOf('[A]\nexportname =   /x.img   \nb = "q"\nc = /d # not a comment\n')).toEqual([
      ['A', { exportname: '/x.img   ', b: '"q"', c: '/d # not a comment' }],
    ]);
  });

  it('merges duplicate sections and lets later keys win', () => {
    expect(
      groupsOf('[A]\nexportname = /a\nreadonly = false\n[B]\nexportname = /b\n[A]\nexportname = /d\nreadonly = true\n'),
    ).toEqual([
      ['A', { exportname: '/d', readonly: 'true' }],
      ['B', { exportname: '/b' }],
    ]);
  });

  it('keeps spaces inside section names and accepts spaces after the closing bracket', () => {
    expect(groupsOf('[ lead-trail ]\nk = v\n[B]  \t\nk = w\n')).toEqual([
      [' lead-trail ', { k: 'v' }],
      ['B', { k: 'w' }],
    ]);
  });

  it('accepts CRLF line ends and a last line without a newline', () => {
    expect(groupsOf('[A]\r\nexportname = /a\r\nx = 1')).toEqual([['A', { exportname: '/a', x: '1' }]]);
  });

  it.each([
    ['a bracket inside a section name', '[x]y]\nk = v\n'],
    ['an empty section name', '[]\nk = v\n'],
    ['text after the closing bracket', '[A] # comment\nk = v\n'],
    ['a key before the first section', 'k = v\n[A]\n'],
    ['a line that is not a key-value pair', '[A]\nthis line is garbage\n'],
    ['a line starting with =', '[A]\n= v\n'],
    ['an opening bracket inside a section name', '[a[b]\n'],
    ['a control character in a section name', '[a\tb]\n'],
    ['a bracket in a key name', '[A]\nk ey] = v\n'],
    ['a NUL byte', '[A]\nk = v\0w\n'],
  ])('refuses the whole file for %s', (_label, text) => {
    expect(() => parseKeyFile(text)).toThrow(/line \d+/);
  });
});

describe('key-file values', () => {
  it('interprets the escapes glib knows and refuses the others', () => {
    expect(decodeKeyFileString('a\\sb\\tc\\nd\\\\e\\r')).toBe('a b\tc\nd\\e\r');
    expect(() => decodeKeyFileString('a\\qb')).toThrow(/invalid escape/);
    expect(() => decodeKeyFileString('trailing\\')).toThrow(/ends with an escape/);
  });

  it('accepts only true/false/1/0 as booleans, as nbd-server does', () => {
    expect([
      parseKeyFileBoolean('true'),
      parseKeyFileBoolean('1'),
      parseKeyFileBoolean('false  '),
      parseKeyFileBoolean('0'),
    ]).toEqual([true, true, false, false]);
    for (const bad of ['yes', 'True', 'TRUE', 'on', '']) expect(() => parseKeyFileBoolean(bad)).toThrow(/boolean/);
  });

  it('accepts plain integers only, and byte counts without units for int64', () => {
    expect(parseKeyFileInteger(' 42 ')).toBe(42);
    expect(() => parseKeyFileInteger('lots')).toThrow(/number/);
    expect(parseKeyFileInt64('1048576')).toBe(1048576n);
    expect(() => parseKeyFileInt64('1M')).toThrow(/int64/);
  });
});
