import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Heap growth allowed over what the last full collection found live, in percent. V8's default lets
 * the old generation grow up to 4× the live heap before collecting; a pass allocates its whole world
 * (~7 KB per VM context) plus as much again in rows and pages that die with it, so a long-running
 * daemon sat at several times its working set (benchmark, 10,000 VMs: peak RSS 633 MB with 75–110 MB
 * live). 50 % keeps it near 1.5× (peak 381 MB) for ~15 % more pass CPU.
 */
export const HEAP_GROWING_PERCENT = 50;

/** How long the daemon must have been idle after a pass before its heap is compacted (ms). */
export const IDLE_RELEASE_DELAY_MS = 1_000;

/**
 * Applies the daemon's heap policy to this process. The flag is read each time V8 sizes the heap,
 * so it works set at start-up (NODE_OPTIONS does not accept it).
 */
export function tuneHeapForPasses(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

let fullCollection: (() => void) | null = null;

/**
 * One full, compacting collection, and the pages it frees handed back to the system. After a pass
 * the heap holds everything the pass allocated until the next collection, which an idle daemon never
 * triggers: V8 kept a 1,000-VM daemon at ~158 MB RSS between passes, ~120 MB after one collection
 * (benchmark, issue 17). Runs in tens of milliseconds at 1,000 VMs, a few hundred at 50,000.
 */
export function releaseIdleHeap(): void {
  if (fullCollection === null) {
    // `gc` is only defined in a context created after the flag is set.
    setFlagsFromString('--expose-gc');
    fullCollection = runInNewContext('gc') as () => void;
  }
  fullCollection();
}

/**
 * Calls {@link releaseIdleHeap} once a finished pass has been followed by `delayMs` without another
 * pass starting (`busy` says whether one runs). Returns the function to call after each pass.
 */
export function idleHeapRelease(
  busy: () => boolean,
  delayMs = IDLE_RELEASE_DELAY_MS,
  release: () => void = releaseIdleHeap,
): () => void {
  let timer: NodeJS.Timeout | null = null;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (!busy()) release();
    }, delayMs);
    // Never what keeps the process alive.
    timer.unref();
  };
}
