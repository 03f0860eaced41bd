import { z } from 'zod';
import { DRIFT_KINDS } from '../world/drift-kinds.js';
import { LOG_LEVELS } from '../log.js';

/** How the reconciler may act: `enforce` acts, `dry-run` plans and records, `observe` only reports. */
export const MODES = ['enforce', 'dry-run', 'observe'] as const;
export type Mode = (typeof MODES)[number];

/** How volume operations reach the appliance's Volume Daemon: `auto` uses it when `/health` answers. */
export const VOLUME_DAEMON_MODES = ['auto', 'required', 'off'] as const;
export type VolumeDaemonMode = (typeof VOLUME_DAEMON_MODES)[number];

const hostPort = z.string().transform((value, ctx) => {
  const m = /^(.*):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: 'expected HOST:PORT with a port from 0 to 65535' });
    return z.NEVER;
  }
  const host = m[1] === '' ? '127.0.0.1' : (m[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host, port };
});

const mysqlUrl = z.string().refine(
  (v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'mysql:' || u.protocol === 'mariadb:') && u.hostname !== '' && u.pathname.length > 1;
    } catch {
      return false;
    }
  },
  { message: 'expected mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE' },
);

const absPath = z.string().refine((v) => v.startsWith('/') && !v.includes('\0'), {
  message: 'expected an absolute path',
});

/** A command line: an argv array (config file) or one string of space-separated words (environment). */
const commandLine = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .trim()
          .split(/\s+/)
          .filter((w) => w !== '')
      : v,
  z
    .array(
      z
        .string()
        .min(1)
        .refine((w) => !w.includes('\0'), { message: 'must not contain NUL' }),
    )
    .refine(
      (argv) => argv.length === 0 || argv[0]?.startsWith('/') === true || /^[A-Za-z0-9._+-]+$/.test(argv[0] ?? ''),
      {
        message:
          'expected a command (absolute path or name on PATH) and its arguments, e.g. "systemctl restart nbd-server.service"',
      },
    ),
);

const seconds = z.coerce.number().int().min(0);
const positiveMs = z.coerce.number().int().min(1);

const perKind = <T extends z.ZodType>(value: T) => z.partialRecord(z.enum(DRIFT_KINDS), value).default({});

/** Events a webhook receiver can subscribe to (see src/notify/notify-events.ts). */
export const NOTIFY_EVENTS = [
  'volume-quarantined',
  'deletion-due-soon',
  'destructive-action',
  'action-failed',
  'safety-trip',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** One webhook receiver of `notify.webhooks[]`. */
const webhook = z.strictObject({
  /** Short name (metrics label, outbox rows); default `webhook-N`. Letters, digits, `-` and `_`. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ only, at most 40')
    .optional(),
  /** Where the JSON message is POSTed (http or https). */
  url: z.url({ protocol: /^https?$/ }),
  /** Sent as `Authorization: Bearer …`; never logged. */
  bearerToken: z.string().min(1).optional(),
  /** Which events it gets. Default all. */
  events: z
    .array(z.enum(NOTIFY_EVENTS))
    .min(1)
    .default([...NOTIFY_EVENTS]),
});

/** The validated configuration schema; every field documents its default and unit. */
export const configSchema = z.strictObject({
  /** The OMA database. Default `mysql://root@127.0.0.1:3306/migratekit_oma`. */
  databaseUrl: mysqlUrl.default('mysql://root@127.0.0.1:3306/migratekit_oma'),
  cloudstack: z
    .strictObject({
      /** Overrides `ossea_configs.api_url` of the active row. */
      apiUrl: z.url({ protocol: /^https?$/ }).optional(),
      apiKey: z.string().min(1).optional(),
      secretKey: z.string().min(1).optional(),
      /** Overrides `ossea_configs.oma_vm_id`. */
      omaVmId: z.string().min(1).optional(),
      /** Items per page in list calls (CloudStack caps it at 500). Default 500. */
      pageSize: z.coerce.number().int().min(1).max(500).default(500),
      /** HTTP timeout of one request, ms. Default 30000. */
      requestTimeoutMs: positiveMs.default(30_000),
      /** How long to wait for one async job, ms. Default 300000. */
      asyncJobTimeoutMs: positiveMs.default(300_000),
      /** Concurrent mutating calls. Default 8. */
      concurrency: z.coerce.number().int().min(1).max(64).default(8),
    })
    .prefault({}),
  nbd: z
    .strictObject({
      baseConfig: absPath.default('/etc/nbd-server/config-base'),
      confDir: absPath.default('/etc/nbd-server/conf.d'),
      pidFile: absPath.default('/run/nbd-server.pid'),
      address: hostPort.default({ host: '127.0.0.1', port: 10809 }),
      /** argv used to start nbd-server again after an idle standalone restart; empty = the server's own cmdline. */
      startCommand: z.array(z.string()).default([]),
      /**
       * argv that restarts nbd-server through its service manager (env `NBD_RESTART_COMMAND`, words
       * separated by spaces). Empty (default) = `systemctl restart UNIT` when nbd-server is the
       * MainPID of a systemd unit, else the standalone re-launch.
       */
      restartCommand: commandLine.default([]),
      /** Debounce of conf.d change events, ms. Default 250. */
      watchDebounceMs: positiveMs.default(250),
      /** Client addresses (numeric IP or CIDR) written into the authfile of each export we add. Default 127.0.0.1. */
      allowClients: z.array(z.string().min(1)).min(1).default(['127.0.0.1']),
    })
    .prefault({}),
  volumeDaemon: z
    .strictObject({
      /** Base URL of the Volume Management Daemon (no auth). Default `http://127.0.0.1:8090`. */
      url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8090'),
      /** `auto` (default): use it when `/health` answers, else act directly; `required`: block volume actions without it; `off`: never use it. */
      mode: z.enum(VOLUME_DAEMON_MODES).default('auto'),
    })
    .prefault({}),
  deviceByIdDir: absPath.default('/dev/disk/by-id'),
  stateDir: absPath.default('/var/lib/oma-reconciler'),
  httpListen: hostPort.default({ host: '127.0.0.1', port: 9470 }),
  /** Bearer token for mutating HTTP routes; unset = those routes answer 403. */
  apiToken: z.string().min(16, 'must be at least 16 characters').optional(),
  mode: z.enum(MODES).default('enforce'),
  /** Per-kind mode overrides (config file only). */
  modeByKind: perKind(z.enum(MODES)),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  schedule: z
    .strictObject({
      /** node-cron expression of the full resync. Default every minute. */
      resyncCron: z.string().default('* * * * *'),
      /** Random delay added to each scheduled pass, ms. Default 5000. */
      jitterMs: z.coerce.number().int().min(0).default(5_000),
      /** Poll interval for new cleanup annotations, ms. Default 2000. */
      annotationPollMs: positiveMs.default(2_000),
      /** A pass is aborted after this long, ms. Default 600000. */
      passTimeoutMs: positiveMs.default(600_000),
      /** Time an in-flight action may take to finish after SIGTERM, ms. Default 60000 (< TimeoutStopSec 90 s). */
      shutdownGraceMs: positiveMs.default(60_000),
    })
    .prefault({}),
  /** Minimum age of drift before a destructive action, per kind, seconds. Defaults in `defaults.ts`. */
  graceSeconds: perKind(seconds),
  /** A quarantined orphan volume is deleted after this long, seconds. Default 7 days. */
  quarantineTtlSeconds: seconds.default(7 * 24 * 3600),
  thresholds: z
    .strictObject({
      /** Replication job in a setup phase with no update for this long is stuck, seconds. Default 1800. */
      stuckReplicationSeconds: seconds.default(1800),
      /** Test failover with no step/log activity for this long is stuck, seconds. Default 1800. */
      stuckFailoverSeconds: seconds.default(1800),
      /** Same, while in the `virtio-driver-injection` step, seconds. Default 7200. */
      stuckVirtioSeconds: seconds.default(7200),
      /** `volume_operations` pending/executing for this long are stale, seconds. Default 3600. */
      staleVolumeOperationSeconds: seconds.default(3600),
      /**
       * A volume whose Volume Daemon operation ended less than this long ago is still held (its writer
       * may follow up, and the world may not show the result yet), seconds. `--grace-seconds` overrides it. Default 60.
       */
      volumeOperationSettleSeconds: seconds.default(60),
      /** A running cleanup/rollback/failover job of the OMA itself with no activity for this long no longer holds its VM, seconds. Default 1800. */
      applianceJobStaleSeconds: seconds.default(1800),
    })
    .prefault({}),
  budget: z
    .strictObject({
      /** Destructive actions allowed in one pass, all kinds together. Default 10. */
      destructivePerPass: z.coerce.number().int().min(0).default(10),
      /** Destructive actions allowed per kind per hour. Default 30. */
      destructivePerHourPerKind: z.coerce.number().int().min(0).default(30),
    })
    .prefault({}),
  notify: z
    .strictObject({
      /** Webhook receivers (config file only). Default none: no notification is kept or sent. */
      webhooks: z.array(webhook).max(20).default([]),
      /** A `deletion-due-soon` message goes out this long before a quarantined volume's deletion, seconds. Default 86400. */
      deletionLeadSeconds: seconds.default(86_400),
      /** First retry delay after a failed delivery, ms; doubles per attempt. Default 5000. */
      retryBaseMs: positiveMs.default(5_000),
      /** Longest retry delay, ms. Default 600000. */
      retryMaxMs: positiveMs.default(600_000),
      /** Timeout of one delivery, ms. Default 10000. */
      timeoutMs: positiveMs.default(10_000),
    })
    .prefault({}),
  sanity: z
    .strictObject({
      /** A source inventory smaller than this fraction of the last good pass trips the sanity gate. Default 0.5. */
      minInventoryRatio: z.coerce.number().min(0).max(1).default(0.5),
      /** Inventories smaller than this are never judged by the ratio. Default 10. */
      minInventoryForRatio: z.coerce.number().int().min(0).default(10),
      /** More than this share of one table's rows rewritten (non-destructive actions) in one pass is held by the sanity gate. Default 0.5. */
      maxRewriteShare: z.coerce.number().min(0).max(1).default(0.5),
      /** Fewer rewrites of a table than this in one pass are never judged by the share. Default 3. */
      minRewritesForShare: z.coerce.number().int().min(1).default(3),
    })
    .prefault({}),
});

/** The frozen configuration every component receives. */
export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;
