import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalQuery, encodeSignedParams, javaUrlEncode, signRequest } from '../../src/cloudstack/sign-request.js';

interface Vector {
  readonly name: string;
  readonly secret: string;
  readonly params: Record<string, string>;
  readonly canonical: string;
  readonly signature: string;
}

const vectors = (
  JSON.parse(readFileSync(new URL('fixtures/signing-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }
).vectors;

describe('request signing', () => {
  it('has the fourteen published and derived vectors to check against', () => {
    expect(vectors).toHaveLength(14);
  });

  it.each(vectors.map((v) => [v.name, v] as const))(
    'reproduces the canonical string and signature of vector %s',
    (_name, v) => {
      expect(canonicalQuery(v.params)).toBe(v.canonical);
      expect(signRequest(v.params, v.secret)).toBe(v.signature);
    },
  );

  it('sorts parameter names as sent, before lowercasing (temPlateidd sorts before templateId)', () => {
    const canonical = canonicalQuery({ templateId: '3', temPlateidd: '4' });
    expect(canonical).toBe('templateidd=4&templateid=3');
  });

  it("encodes values like Java URLEncoder: ~ ! ' ( ) encoded, * kept, space as %20", () => {
    expect(javaUrlEncode("a b~c*d!e'f(g)h+i/j")).toBe('a%20b%7Ec*d%21e%27f%28g%29h%2Bi%2Fj');
    expect(javaUrlEncode('snap ü €')).toBe('snap%20%C3%BC%20%E2%82%AC');
  });

  it('encodes an unpaired surrogate as ? like Java instead of throwing', () => {
    expect(javaUrlEncode('a\uD800b')).toBe('a%3Fb');
  });

  it('ignores an existing signature parameter of any case when signing', () => {
    const params = { apiKey: 'foo', command: 'listVirtualMachines', response: 'json', listall: 'true' };
    expect(signRequest({ ...params, Signature: 'x' }, 'bar')).toBe('B0d6hBsZTcFVCiioSxzwKA9Pke8=');
  });

  it('puts a percent-encoded signature on the wire so + / = survive the servlet decoding', () => {
    const query = encodeSignedParams({ command: 'listUsers', 'tags[0].key': 'k' }, 'TTpdDq/7j/J58XCRHomKoQXEQds=');
    expect(query).toBe('command=listUsers&tags%5B0%5D.key=k&signature=TTpdDq%2F7j%2FJ58XCRHomKoQXEQds%3D');
    expect(new URLSearchParams(query).get('signature')).toBe('TTpdDq/7j/J58XCRHomKoQXEQds=');
  });
});
