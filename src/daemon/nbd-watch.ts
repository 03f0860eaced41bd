import type { Config } from '../config/config-schema.js';
import { watchNbdConfig } from '../nbd/watch-nbd-config.js';
import type { NbdWatch } from './trigger-sources.js';

/**
 * The daemon's `watchNbd` for the real appliance: nbd-server's base config and conf.d, debounced
 * by `nbd.watchDebounceMs`. `onReady` (tests, start-up logs) fires once events are live.
 */
export function nbdConfigWatch(nbd: Config['nbd'], onReady?: () => void): NbdWatch {
  return (onChange) => {
    const watcher = watchNbdConfig({ baseConfig: nbd.baseConfig, confDir: nbd.confDir }, nbd.watchDebounceMs, () => {
      onChange();
    });
    if (onReady) void watcher.ready.then(onReady);
    return () => watcher.close();
  };
}
