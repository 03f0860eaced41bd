import type { ConfigSources } from '../config/load-config.js';
import { DRIFT_KINDS } from '../world/drift-kinds.js';

const GRACE_SECONDS = 4;
/** Long enough that the status page's "Scheduled deletions" (Keep, Delete now) is there when you look. */
const QUARANTINE_SECONDS = 15 * 60;

/**
 * The demo's configuration: the appliance's environment plus short grace and quarantine periods
 * and a pass every 3 seconds, so the repair story fits in a minute; the quarantine lasts 15 minutes so
 * the scheduled deletions can be looked at, kept or deleted at once from the status page. Production defaults are
 * far longer (see config-schema.ts).
 */
export function demoSettings(env: Record<string, string>): ConfigSources {
  return {
    env,
    flags: {
      graceSeconds: { flag: 'demo', value: Object.fromEntries(DRIFT_KINDS.map((k) => [k, GRACE_SECONDS])) },
      quarantineTtlSeconds: { flag: 'demo', value: QUARANTINE_SECONDS },
      // A volume the Volume Daemon just moved is held as long as drift is held, not a minute.
      'thresholds.volumeOperationSettleSeconds': { flag: 'demo', value: GRACE_SECONDS },
      // The demo injects every kind at once; the production budget (10 per pass) would trip on purpose.
      budget: { flag: 'demo', value: { destructivePerPass: 50, destructivePerHourPerKind: 50 } },
      schedule: {
        flag: 'demo',
        value: {
          resyncCron: '*/3 * * * * *',
          jitterMs: 200,
          annotationPollMs: 1000,
          passTimeoutMs: 120_000,
          shutdownGraceMs: 30_000,
        },
      },
    },
  };
}
demoSettings.graceSeconds = GRACE_SECONDS;
demoSettings.quarantineSeconds = QUARANTINE_SECONDS;
