import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloudStackClient } from '../../src/cloudstack/cloudstack-client.js';
import { CloudStackAuthError, CloudStackHttpError } from '../../src/cloudstack/errors.js';

const FIXTURES = new URL('fixtures/', import.meta.url).pathname;

/** A client whose every request is answered with `body` and `status` (no network, no retries). */
function replaying(status: number, body: string): CloudStackClient {
  return new CloudStackClient({
    apiUrl: 'http://127.0.0.1:9/client/api',
    apiKey: 'k',
    secretKey: 's',
    retry: { retries: 0 },
    fetch: () => Promise.resolve(new Response(body, { status, headers: { 'content-type': 'text/javascript' } })),
  });
}

const libcloud = readdirSync(join(FIXTURES, 'libcloud'));
const ERROR_FIXTURES: Record<string, string> = {
  'registerSSHKeyPair_error.json': 'Public key is invalid',
  'deployVirtualMachine_deployfail.json': 'Unable to find service offering: 104',
};

describe('replaying every captured libcloud body through the client transport', () => {
  it.each(libcloud.filter((f) => !(f in ERROR_FIXTURES)))(
    '%s comes back as its inner response object',
    async (file) => {
      const text = readFileSync(join(FIXTURES, 'libcloud', file), 'utf8');
      const command = file.split('_')[0] ?? '';
      const inner = Object.values(JSON.parse(text) as Record<string, unknown>)[0];
      expect(await replaying(200, text).call(command)).toEqual(inner);
    },
  );

  it.each(Object.entries(ERROR_FIXTURES))(
    '%s becomes a CloudStackHttpError 431 with its text',
    async (file, errortext) => {
      const text = readFileSync(join(FIXTURES, 'libcloud', file), 'utf8');
      const command = file.split('_')[0] ?? '';
      const e: unknown = await replaying(431, text)
        .call(command)
        .catch((err: unknown) => err);
      expect(e).toBeInstanceOf(CloudStackHttpError);
      expect(e).toMatchObject({ status: 431, errorcode: 431, errortext });
    },
  );
});

describe('replaying every derived envelope through the client transport', () => {
  const envelopes = (
    JSON.parse(readFileSync(join(FIXTURES, 'derived/envelopes.json'), 'utf8')) as {
      envelopes: Record<string, { http_status: number; body: Record<string, unknown> }>;
    }
  ).envelopes;

  it.each(Object.entries(envelopes))('%s', async (_name, { http_status: status, body }) => {
    const [key, inner] = Object.entries(body)[0] ?? ['', {}];
    // `errorresponse` belongs to an unknown command; any name shows the fallback works.
    const command = key === 'errorresponse' ? 'noSuchCommand' : key.replace(/response$/, '');
    const outcome: unknown = await replaying(status, JSON.stringify(body))
      .call(command)
      .catch((err: unknown) => err);
    if (status === 200) {
      expect(outcome).toEqual(inner);
    } else if (status === 401) {
      expect(outcome).toBeInstanceOf(CloudStackAuthError);
      expect(outcome).toMatchObject({
        errorcode: 401,
        cserrorcode: null,
        errortext: 'unable to verify user credentials and/or request signature',
      });
    } else {
      expect(outcome).toBeInstanceOf(CloudStackHttpError);
      expect(outcome).toMatchObject({
        status,
        errorcode: (inner as { errorcode: number }).errorcode,
        cserrorcode: (inner as { cserrorcode: number }).cserrorcode,
      });
      if (status === 429) expect(outcome).toMatchObject({ retryAfterMs: 218 });
    }
  });

  it('reads the empty-list envelope as a complete empty listing and a lone count as an incomplete one', async () => {
    const empty = await replaying(200, JSON.stringify(envelopes['list-empty']?.body)).listVolumes();
    expect(empty).toEqual({ items: [], complete: true, count: 0 });
    const pastEnd = await replaying(200, JSON.stringify(envelopes['list-page-past-end']?.body)).listVolumes();
    expect(pastEnd).toMatchObject({ items: [], complete: false, count: 7 });
  });

  it('reads a one-item list envelope as a complete listing', async () => {
    const one = await replaying(200, JSON.stringify(envelopes['list-volumes-one']?.body)).listVolumes();
    expect(one).toMatchObject({
      complete: true,
      count: 1,
      items: [{ id: '0b5f3d1c-6f8a-4a43-9a53-3f1f6c1d2e7b', deviceId: 1 }],
    });
  });
});
