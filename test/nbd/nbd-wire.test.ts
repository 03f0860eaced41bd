import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NbdWire } from '../../src/nbd/nbd-wire.js';

let server: Server | null = null;

/** A loopback server that runs `serve` on the first connection; resolves with its port. */
async function serveOnce(serve: (socket: Socket) => void): Promise<number> {
  server = createServer(serve);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

afterEach(async () => {
  await new Promise<void>((resolve) => {
    if (server) {
      server.close(() => {
        resolve();
      });
    } else resolve();
  });
  server = null;
});

describe('NBD wire reads', () => {
  it('cuts many replies packed into one socket chunk into exact reads', async () => {
    const packed = Buffer.concat(
      Array.from({ length: 200 }, (_, i) => Buffer.from(`reply-${String(i).padStart(4, '0')};`)),
    );
    const port = await serveOnce((socket) => {
      socket.end(packed);
    });
    const wire = await NbdWire.connect({ host: '127.0.0.1', port }, 2_000);
    const got: string[] = [];
    for (let i = 0; i < 200; i++) got.push((await wire.read(11)).toString());
    expect(got[0]).toBe('reply-0000;');
    expect(got[199]).toBe('reply-0199;');
    wire.destroy();
  });

  it('joins a reply that arrives split over several chunks', async () => {
    // The second half is only sent once the client asks for it, so it cannot share the first chunk.
    const port = await serveOnce((socket) => {
      socket.write('NBDM');
      socket.once('data', () => socket.end('AGIC!rest'));
    });
    const wire = await NbdWire.connect({ host: '127.0.0.1', port }, 2_000);
    const magic = wire.read(8);
    wire.write(Buffer.from('go'));
    expect((await magic).toString()).toBe('NBDMAGIC');
    expect((await wire.read(5)).toString()).toBe('!rest');
    wire.destroy();
  });
});
