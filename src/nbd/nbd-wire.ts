/**
 * A TCP connection to an NBD server with exact-length reads and a per-read timeout: the transport
 * under the handshake code in `nbd-client.ts`. Loopback or configured address only.
 */
import { Socket } from 'node:net';
import { NbdProtocolError } from './nbd-errors.js';

/** Where nbd-server listens. */
export interface NbdAddress {
  readonly host: string;
  readonly port: number;
}

/** Buffered socket reader/writer for the NBD handshake and transmission phases. */
export class NbdWire {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #waiter: (() => void) | null = null;
  #failure: Error | null = null;
  #closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      this.#wake();
    });
    socket.on('error', (e) => {
      this.#fail(e);
    });
    socket.on('end', () => {
      this.#fail(new NbdProtocolError('server closed the connection'));
    });
    this.#closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#fail(new NbdProtocolError('connection closed'));
        resolve();
      }),
    );
  }

  /** Opens a connection; rejects after `timeoutMs` or on refusal. */
  static async connect(address: NbdAddress, timeoutMs: number): Promise<NbdWire> {
    const socket = new Socket();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new NbdProtocolError(`connect to ${address.host}:${address.port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.connect(address.port, address.host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve();
      });
    });
    socket.setNoDelay(true);
    return new NbdWire(socket, timeoutMs);
  }

  /** Reads exactly `n` bytes. */
  async read(n: number): Promise<Buffer> {
    const deadline = Date.now() + this.timeoutMs;
    while (this.#buffered < n) {
      if (this.#failure) throw this.#failure;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.socket.destroy();
        throw new NbdProtocolError(`no answer from the NBD server within ${this.timeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    // Join only when the bytes span chunks: copying everything buffered on every read made a
    // 127,500-export NBD_OPT_LIST quadratic in the chunk size (a third of a second per listing at 25,000).
    const all = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    this.#chunks = [all.subarray(n)];
    this.#buffered = all.length - n;
    return all.subarray(0, n);
  }

  /** Queues bytes for sending. */
  write(data: Buffer): void {
    this.socket.write(data);
  }

  /** Half-closes and waits until the server has closed its end (or destroys after the timeout). */
  async close(): Promise<void> {
    if (!this.socket.destroyed) this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), this.timeoutMs);
    await this.#closed;
    clearTimeout(timer);
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }
}
