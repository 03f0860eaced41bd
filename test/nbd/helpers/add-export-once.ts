/**
 * Child process of atomic-write-mounts.test.ts, run inside a private mount namespace that
 * reproduces the unit's layout: adds one export through the real NbdExportManager (the daemon's
 * path, with its STATE_DIR) and prints the outcome or the error as one JSON line.
 * argv: BASE_CONFIG CONF_DIR STATE_DIR NAME EXPORTNAME
 */
import { NbdExportManager } from '../../../src/nbd/nbd-export-manager.js';

const [baseConfig = '', confDir = '', stateDir = '', name = '', exportname = ''] = process.argv.slice(2);
const manager = new NbdExportManager({
  baseConfig,
  confDir,
  stateDir,
  pidFile: `${stateDir}/no-nbd-server.pid`,
  address: { host: '127.0.0.1', port: 9 },
});
manager.addExport({ name, exportname }).then(
  (outcome) =>
    process.stdout.write(`${JSON.stringify({ ok: true, status: outcome.status, reason: outcome.reason })}\n`),
  (e: unknown) => {
    const err = e as NodeJS.ErrnoException;
    process.stdout.write(`${JSON.stringify({ ok: false, code: err.code ?? null, message: err.message })}\n`);
  },
);
