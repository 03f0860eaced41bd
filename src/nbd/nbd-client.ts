/**
 * A minimal NBD client in TypeScript (fixed-newstyle handshake, RFC-like spec at
 * github.com/NetworkBlockDevice/nbd doc/proto.md): `NBD_OPT_LIST` to see the exports nbd-server
 * holds in memory, `NBD_OPT_GO` to prove an export is really connectable (this opens the backing
 * file and checks the authfile), then `NBD_OPT_ABORT` or `NBD_CMD_DISC` for a clean goodbye.
 */
import { randomBytes } from 'node:crypto';
import { NbdOptionError, NbdProtocolError } from './nbd-errors.js';
import { NbdWire, type NbdAddress } from './nbd-wire.js';

const INIT_MAGIC = 0x4e42444d41474943n; // "NBDMAGIC"
const OPTS_MAGIC = 0x49484156454f5054n; // "IHAVEOPT"
const REPLY_MAGIC = 0x3e889045565a9n;
const REQUEST_MAGIC = 0x25609513;
const SIMPLE_REPLY_MAGIC = 0x67446698;
const FLAG_FIXED_NEWSTYLE = 1;
const FLAG_NO_ZEROES = 2;
const OPT = { ABORT: 2, LIST: 3, GO: 7 } as const;
const REP = { ACK: 1, SERVER: 2, INFO: 3 } as const;
const CMD = { READ: 0, DISC: 2 } as const;
const ERRORS: Readonly<Record<number, string>> = {
  1: 'NBD_REP_ERR_UNSUP',
  2: 'NBD_REP_ERR_POLICY',
  3: 'NBD_REP_ERR_INVALID',
  4: 'NBD_REP_ERR_PLATFORM',
  5: 'NBD_REP_ERR_TLS_REQD',
  6: 'NBD_REP_ERR_UNKNOWN',
  7: 'NBD_REP_ERR_SHUTDOWN',
  8: 'NBD_REP_ERR_BLOCK_SIZE_REQD',
  9: 'NBD_REP_ERR_TOO_BIG',
};

/** Client options. */
export interface NbdClientOptions {
  /** Per-step timeout, ms. Default 5000. */
  readonly timeoutMs?: number;
}

async function handshake(address: NbdAddress, options: NbdClientOptions): Promise<NbdWire> {
  const wire = await NbdWire.connect(address, options.timeoutMs ?? 5_000);
  try {
    const hello = await wire.read(18);
    if (hello.readBigUInt64BE(0) !== INIT_MAGIC) throw new NbdProtocolError('not an NBD server (bad magic)');
    if (hello.readBigUInt64BE(8) !== OPTS_MAGIC) {
      throw new NbdProtocolError('server does not speak newstyle negotiation');
    }
    const flags = hello.readUInt16BE(16);
    if ((flags & FLAG_FIXED_NEWSTYLE) === 0) throw new NbdProtocolError('server does not speak fixed newstyle');
    const clientFlags = Buffer.alloc(4);
    clientFlags.writeUInt32BE(FLAG_FIXED_NEWSTYLE | (flags & FLAG_NO_ZEROES));
    wire.write(clientFlags);
    return wire;
  } catch (e) {
    wire.destroy();
    throw e;
  }
}

function sendOption(wire: NbdWire, option: number, data: Buffer = Buffer.alloc(0)): void {
  const head = Buffer.alloc(16);
  head.writeBigUInt64BE(OPTS_MAGIC, 0);
  head.writeUInt32BE(option, 8);
  head.writeUInt32BE(data.length, 12);
  wire.write(Buffer.concat([head, data]));
}

async function readReply(wire: NbdWire, option: number, optionName: string): Promise<{ type: number; data: Buffer }> {
  const head = await wire.read(20);
  if (head.readBigUInt64BE(0) !== REPLY_MAGIC) throw new NbdProtocolError(`bad option reply magic to ${optionName}`);
  if (head.readUInt32BE(8) !== option) throw new NbdProtocolError(`reply to another option than ${optionName}`);
  const type = head.readUInt32BE(12);
  const length = head.readUInt32BE(16);
  if (length > 1 << 20) throw new NbdProtocolError(`oversized reply (${length} bytes) to ${optionName}`);
  const data = length > 0 ? await wire.read(length) : Buffer.alloc(0);
  if (type >= 0x80000000) {
    const code = type - 0x80000000;
    throw new NbdOptionError(optionName, ERRORS[code] ?? `NBD_REP_ERR_${code}`, data.toString('utf8'));
  }
  return { type, data };
}

/** Ends the negotiation politely; 3.24 closes without an ACK, newer servers ACK first. */
async function abort(wire: NbdWire): Promise<void> {
  sendOption(wire, OPT.ABORT);
  await wire.close();
}

/**
 * The export names the server holds in memory (`nbd-client -l`); needs `allowlist = true`.
 * @throws NbdOptionError (`NBD_REP_ERR_POLICY` when listing is denied), NbdProtocolError, or a socket error.
 */
export async function listNbdExports(address: NbdAddress, options: NbdClientOptions = {}): Promise<string[]> {
  const wire = await handshake(address, options);
  try {
    sendOption(wire, OPT.LIST);
    const names: string[] = [];
    for (;;) {
      const { type, data } = await readReply(wire, OPT.LIST, 'NBD_OPT_LIST');
      if (type === REP.ACK) break;
      if (type !== REP.SERVER || data.length < 4) continue;
      const length = data.readUInt32BE(0);
      names.push(data.subarray(4, 4 + length).toString('utf8'));
    }
    await abort(wire);
    return names;
  } catch (e) {
    wire.destroy();
    throw e;
  }
}

/** An open transmission-phase session (what a replication client holds). */
export interface NbdSession {
  readonly exportName: string;
  readonly size: bigint;
  readonly transmissionFlags: number;
  /** Reads bytes through the session (proves it is still served). */
  read(offset: bigint, length: number): Promise<Buffer>;
  /** Sends `NBD_CMD_DISC` and waits for the server to hang up. */
  close(): Promise<void>;
}

/**
 * Full `NBD_OPT_GO` for `name` and returns the open session; the server forks a child for it.
 * @throws NbdOptionError (`NBD_REP_ERR_UNKNOWN`, `NBD_REP_ERR_POLICY` for authfile or a missing file).
 */
export async function openNbdSession(
  address: NbdAddress,
  name: string,
  options: NbdClientOptions = {},
): Promise<NbdSession> {
  const wire = await handshake(address, options);
  let size = -1n;
  let transmissionFlags = 0;
  try {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.alloc(4 + nameBytes.length + 2);
    data.writeUInt32BE(nameBytes.length, 0);
    nameBytes.copy(data, 4);
    sendOption(wire, OPT.GO, data);
    for (;;) {
      const reply = await readReply(wire, OPT.GO, 'NBD_OPT_GO');
      if (reply.type === REP.ACK) break;
      if (reply.type === REP.INFO && reply.data.length >= 12 && reply.data.readUInt16BE(0) === 0) {
        size = reply.data.readBigUInt64BE(2);
        transmissionFlags = reply.data.readUInt16BE(10);
      }
    }
    if (size < 0n) throw new NbdProtocolError('NBD_OPT_GO succeeded without export information');
  } catch (e) {
    if (e instanceof NbdOptionError) await abort(wire).catch(() => undefined);
    else wire.destroy();
    throw e;
  }
  const request = (type: number, offset: bigint, length: number): Buffer => {
    const req = Buffer.alloc(28);
    req.writeUInt32BE(REQUEST_MAGIC, 0);
    req.writeUInt16BE(type, 6);
    randomBytes(8).copy(req, 8);
    req.writeBigUInt64BE(offset, 16);
    req.writeUInt32BE(length, 24);
    return req;
  };
  return {
    exportName: name,
    size,
    transmissionFlags,
    read: async (offset, length) => {
      const req = request(CMD.READ, offset, length);
      wire.write(req);
      const head = await wire.read(16);
      if (head.readUInt32BE(0) !== SIMPLE_REPLY_MAGIC || !head.subarray(8, 16).equals(req.subarray(8, 16))) {
        throw new NbdProtocolError('unexpected reply in transmission phase');
      }
      const error = head.readUInt32BE(4);
      if (error !== 0) throw new NbdProtocolError(`read failed with NBD error ${error}`);
      return wire.read(length);
    },
    close: async () => {
      wire.write(request(CMD.DISC, 0n, 0));
      await wire.close();
    },
  };
}

/** Outcome of a connectability probe. */
export type NbdProbeResult =
  { readonly ok: true; readonly size: bigint } | { readonly ok: false; readonly reason: string };

/** `NBD_OPT_GO` then a clean disconnect: the check `nbdinfo --size nbd://HOST:PORT/NAME` does. */
export async function probeNbdExport(
  address: NbdAddress,
  name: string,
  options: NbdClientOptions = {},
): Promise<NbdProbeResult> {
  try {
    const session = await openNbdSession(address, name, options);
    await session.close();
    return { ok: true, size: session.size };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
