/**
 * Starting and stopping a node:http server as promises: `listen` settles once the socket is bound
 * (or rejects with the bind error, e.g. EADDRINUSE), `closeServer` once every connection is gone.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Binds `server` to `host:port` (port 0: any free port) and returns the bound address. */
export async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/** Drops every open connection and resolves when the server has closed. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}
