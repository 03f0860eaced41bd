import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactQuery, redactUrl } from '../src/log.js';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('logger', () => {
  it('writes one JSON event per line and never a secret', () => {
    const { stream, lines } = capture();
    const log = createLogger('debug', stream);
    const secret = 'S3cr3t-CloudStack-Key-zzz';
    log.child({ component: 'cloudstack' }).info(
      {
        secretKey: secret,
        cloudstack: { apiKey: 'public-key', secretKey: secret },
        apiToken: secret,
        headers: { authorization: `Bearer ${secret}` },
      },
      'request sent',
    );
    const out = lines();
    expect(out).toHaveLength(1);
    const event = JSON.parse(out[0]!);
    expect(event.msg).toBe('request sent');
    expect(event.component).toBe('cloudstack');
    expect(out[0]).not.toContain(secret);
    expect(event.secretKey).toBe('[REDACTED]');
  });

  it('masks the password of a database URL and the keys of a signed CloudStack URL', () => {
    expect(redactUrl('mysql://oma_user:oma_password@localhost:3306/migratekit_oma')).toBe(
      'mysql://oma_user:***@localhost:3306/migratekit_oma',
    );
    expect(redactQuery('http://cs/client/api?command=listVolumes&apikey=AAA&signature=BBB%3D')).toBe(
      'http://cs/client/api?command=listVolumes&apikey=***&signature=***',
    );
  });
});
