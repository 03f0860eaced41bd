import { lstat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for a by-id link to appear (udev creates it once the kernel sees the hot-plugged disk), as
 * the Volume Daemon does after an attach: `lstat` every `pollMs` up to `timeoutMs`. True when it
 * appeared, false on timeout.
 */
export async function waitForLink(
  path: string,
  timeoutMs: number,
  pollMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await linkExists(path)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(pollMs, undefined, { signal });
  }
}

/** Whether the link itself is there (`lstat`: a dangling link counts, as it does for udev's by-id links). */
export function linkExists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
