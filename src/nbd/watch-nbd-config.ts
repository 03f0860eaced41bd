/**
 * Watches the base config and conf.d for changes that matter to nbd-server and emits one debounced
 * "changed" event per burst. chokidar 5 has no globs: the two directories are watched (depth 0)
 * and filtered by a function, so our temp files, editor backups and `.conf.tmp` files stay quiet,
 * and an atomic rename over the base config is still seen.
 */
import { watch } from 'chokidar';
import type { Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** What to watch. */
export interface NbdWatchPaths {
  readonly baseConfig: string;
  readonly confDir: string;
}

/** Handle returned by {@link watchNbdConfig}. */
export interface NbdConfigWatcher {
  /** Resolves once the initial scan is done and events are live. */
  readonly ready: Promise<void>;
  /** Stops watching and cancels a pending debounced event. */
  close(): Promise<void>;
}

/**
 * True for the paths whose change matters to nbd-server: the base config itself and `*.conf`
 * entries directly inside conf.d (dotfiles included, as the server parses them); not temp files,
 * `.conf.tmp`, editor backups or anything in subdirectories.
 */
export function isNbdConfigPath(paths: NbdWatchPaths, path: string): boolean {
  const p = resolve(path);
  return p === resolve(paths.baseConfig) || (dirname(p) === resolve(paths.confDir) && p.endsWith('.conf'));
}

/**
 * Calls `onChange('changed')` at most once per `debounceMs` burst of relevant changes: the base
 * config file itself, or a `*.conf` entry directly inside conf.d (added, changed or removed).
 */
export function watchNbdConfig(
  paths: NbdWatchPaths,
  debounceMs: number,
  onChange: (event: 'changed') => void,
): NbdConfigWatcher {
  const baseDir = dirname(resolve(paths.baseConfig));
  const confDir = resolve(paths.confDir);
  const relevant = (path: string): boolean => isNbdConfigPath(paths, path);
  const ignored = (path: string, stats?: Stats): boolean => {
    const p = resolve(path);
    if (p === baseDir || p === confDir) return false;
    // Without stats chokidar is asking about a path it has not stat'ed yet: keep candidates.
    if (stats?.isDirectory() === true) return true;
    return !relevant(p);
  };
  const watcher = watch([baseDir, confDir], { ignoreInitial: true, depth: 0, ignored });
  let timer: NodeJS.Timeout | null = null;
  const fire = (path: string): void => {
    if (!relevant(path)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange('changed');
    }, debounceMs);
  };
  watcher.on('add', fire).on('change', fire).on('unlink', fire);
  const ready = new Promise<void>((res) => {
    watcher.once('ready', () => {
      res();
    });
  });
  return {
    ready,
    close: async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      await watcher.close();
    },
  };
}
