import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudStackClient } from '../../src/cloudstack/cloudstack-client.js';
import { CloudStackAuthError } from '../../src/cloudstack/errors.js';
import { formatCsTimestamp } from '../../src/cloudstack/cs-time.js';
import { verifySignature } from '../../src/simulator/sim-signature.js';
import { startSimulator, type Simulator } from '../../src/simulator/start-simulator.js';
import { independentQuery, independentRequest, independentSignature } from './helpers/independent-signer.js';

interface Vector {
  readonly name: string;
  readonly secret: string;
  readonly params: Record<string, string>;
  readonly signature: string;
}
const vectors = (
  JSON.parse(readFileSync(new URL('../cloudstack/fixtures/signing-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;

const API_KEY = 'K-simulator-test';
const SECRET = 'S-simulator-test';
const UNAUTHORIZED = 'unable to verify user credentials and/or request signature';
/** The simulator clock; tests move it to check `expires`. */
const clock = Date.UTC(2029, 0, 1);

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET, now: () => clock });
  sim.state.addVolume({ name: 'data-1' });
});
afterAll(async () => {
  await sim.close();
});

const base = (command: string, extra: [string, string][] = []): [string, string][] => [
  ['command', command],
  ['response', 'json'],
  ['apiKey', API_KEY],
  ...extra,
];

describe('the simulator verifies signatures like the management server', () => {
  it.each(vectors.map((v) => [v.name, v] as const))(
    'accepts the published/derived vector %s with its signature',
    (_name, v) => {
      const params = new Map(Object.entries({ ...v.params, signature: v.signature }));
      const apiKey = Object.entries(v.params).find(([k]) => k.toLowerCase() === 'apikey')?.[1] ?? '';
      // The sigv3 vectors expire on 2030-01-01; the clock is earlier.
      expect(verifySignature(params, (k) => (k === apiKey ? v.secret : undefined), Date.UTC(2029, 0, 1))).toEqual({
        ok: true,
        apiKey,
      });
    },
  );

  it('the independent test signer reproduces every vector (so it is a trustworthy third party)', async () => {
    for (const v of vectors) expect(await independentSignature(Object.entries(v.params), v.secret)).toBe(v.signature);
  });

  it('serves a request signed by the independent implementation, GET and form POST', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await independentRequest(sim.url, base('listVolumes', [['listall', 'true']]), SECRET, method);
      expect(res.status).toBe(200);
      expect(res.json.listvolumesresponse?.count).toBe(1);
    }
  });

  it('serves values with every special character the encoder must handle', async () => {
    const volume = sim.state.addVolume({ name: "odd name ~*!'()+/:=&?@[]#é€" });
    const res = await independentRequest(
      sim.url,
      base('listVolumes', [
        ['name', volume.name],
        ['listall', 'true'],
      ]),
      SECRET,
    );
    expect(res.status).toBe(200);
    expect(res.json.listvolumesresponse?.count).toBe(1);
  });

  it('accepts requests signed by the JDK (java.net.URLEncoder + javax.crypto.Mac)', async ({ skip }) => {
    const java = await promisify(execFile)('java', ['-version']).then(
      () => true,
      () => false,
    );
    if (!java) {
      console.log(
        'skipped: no `java` on PATH, the JDK cross-check needs it (the TypeScript independent signer covers the same ground)',
      );
      skip();
    }
    const signer = fileURLToPath(new URL('helpers/JavaSigner.java', import.meta.url));
    const groups = [
      ['command=listVolumes', 'response=json', `apiKey=${API_KEY}`, 'listall=true'],
      ['command=listTags', 'response=json', `apiKey=${API_KEY}`, "key=a+b/c~d*e:f=g&h'i(j)!k é"],
      [
        'command=listZones',
        'response=json',
        `apiKey=${API_KEY}`,
        'signatureVersion=3',
        `expires=${formatCsTimestamp(clock + 600_000)}`,
      ],
    ];
    const { stdout } = await promisify(execFile)('java', [
      signer,
      SECRET,
      ...groups.flatMap((g, i) => (i === 0 ? g : ['--', ...g])),
    ]);
    const queries = stdout.trim().split('\n');
    expect(queries).toHaveLength(3);
    for (const query of queries) expect((await fetch(`${sim.url}?${query}`)).status).toBe(200);
  });

  it('accepts the client with plain signing, with signatureVersion=3, over GET and POST', async () => {
    for (const httpMethod of ['GET', 'POST'] as const) {
      for (const expiresInSeconds of [0, 300]) {
        const client = new CloudStackClient({
          apiUrl: sim.url,
          apiKey: API_KEY,
          secretKey: SECRET,
          httpMethod,
          expiresInSeconds,
          now: () => new Date(clock),
        });
        const listed = await client.listVolumes();
        expect(listed.complete).toBe(true);
      }
    }
  });

  it('refuses a tampered parameter with the 401 envelope and no X-Description', async () => {
    const query = await independentQuery(base('listVolumes', [['name', 'data-1']]), SECRET);
    const res = await fetch(`${sim.url}?${query.replace('name=data-1', 'name=data-2')}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      listvolumesresponse: { uuidList: [], errorcode: 401, errortext: UNAUTHORIZED },
    });
    expect(res.headers.get('x-description')).toBeNull();
  });

  it('refuses an added parameter, a wrong secret, an unknown key and a missing signature', async () => {
    const query = await independentQuery(base('listVolumes'), SECRET);
    expect((await fetch(`${sim.url}?${query}&listall=true`)).status).toBe(401);
    expect((await independentRequest(sim.url, base('listVolumes'), 'wrong-secret')).status).toBe(401);
    expect(
      (
        await independentRequest(
          sim.url,
          [
            ['command', 'listVolumes'],
            ['response', 'json'],
            ['apiKey', 'nobody'],
          ],
          SECRET,
        )
      ).status,
    ).toBe(401);
    expect((await fetch(`${sim.url}?command=listVolumes&response=json&apiKey=${API_KEY}`)).status).toBe(401);
  });

  it('refuses a signature sent without percent-encoding when it contains + (the servlet reads a space)', async () => {
    // Find a request whose signature has a '+', then send it raw.
    for (let i = 0; i < 200; i++) {
      const params = base('listVolumes', [['keyword', `k${i}`]]);
      const signature = await independentSignature(params, SECRET);
      if (!signature.includes('+')) continue;
      const raw = `${params.map(([n, v]) => `${n}=${v}`).join('&')}&signature=${signature}`;
      expect((await fetch(`${sim.url}?${raw}`)).status).toBe(401);
      return;
    }
    throw new Error('no signature with + found in 200 tries');
  });

  it('refuses an expired signatureVersion=3 request and one without expires, accepts a future one', async () => {
    const v3 = (expires: number | null) =>
      independentRequest(
        sim.url,
        base('listVolumes', [
          ['signatureVersion', '3'],
          ...(expires === null ? [] : [['expires', formatCsTimestamp(expires)] as [string, string]]),
        ]),
        SECRET,
      );
    expect((await v3(clock + 60_000)).status).toBe(200);
    const expired = await v3(clock - 1_000);
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ listvolumesresponse: { uuidList: [], errorcode: 401, errortext: UNAUTHORIZED } });
    expect((await v3(null)).status).toBe(401);
    const garbage = await independentRequest(
      sim.url,
      base('listVolumes', [
        ['signatureversion', '3'],
        ['expires', 'tomorrow'],
      ]),
      SECRET,
    );
    expect(garbage.status).toBe(401);
  });

  it('reports an expired client request as CloudStackAuthError, not retried', async () => {
    const client = new CloudStackClient({
      apiUrl: sim.url,
      apiKey: API_KEY,
      secretKey: SECRET,
      expiresInSeconds: 60,
      now: () => new Date(clock - 3_600_000),
    });
    const before = sim.stats.rejected;
    const listed = await client.listVolumes();
    expect(listed.complete).toBe(false);
    expect(listed.cause).toBeInstanceOf(CloudStackAuthError);
    expect(sim.stats.rejected - before).toBe(1);
  });

  it('is case-sensitive on the command value: listvolumes and unknown commands get 401 errorresponse', async () => {
    for (const command of ['listvolumes', 'noSuchCommand']) {
      const res = await independentRequest(sim.url, base(command), SECRET);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ errorresponse: { uuidList: [], errorcode: 401, errortext: UNAUTHORIZED } });
    }
  });

  it('is case-insensitive on parameter names (signed as sent)', async () => {
    const vm = sim.state.addVirtualMachine({ name: 'case-vm' });
    const res = await independentRequest(
      sim.url,
      [
        ['Command', 'listVolumes'],
        ['RESPONSE', 'json'],
        ['ApiKey', API_KEY],
        ['VirtualMachineId', vm.id],
      ],
      SECRET,
    );
    expect(res.status).toBe(200);
    expect(res.json.listvolumesresponse?.count).toBe(1);
  });

  it('refuses control characters (TAB too) with 431 after the signature check', async () => {
    const res = await independentRequest(sim.url, base('listVolumes', [['name', 'a\tb']]), SECRET);
    expect(res.status).toBe(431);
    expect(res.json.listvolumesresponse).toMatchObject({ errorcode: 431, cserrorcode: 9999 });
    expect((await independentRequest(sim.url, base('listVolumes', [['name', 'a\tb']]), 'wrong')).status).toBe(401);
  });
});
