/**
 * What the status page knows about the daemon beyond the engine's last pass: the last pass's
 * duration, result and safety trips, and when each source was last read completely. Fed by the
 * pass loop's listener; read by every page request.
 */
import type { PassSummary } from '../../reconcile/engine-port.js';
import type { SourceName } from '../../world/drift-kinds.js';

/** The loop's side the console needs: pass summaries, and a way to ask for a pass now. */
export interface ConsoleLoop {
  onPass(listener: (summary: PassSummary) => void): () => void;
  trigger(trigger: 'annotation'): unknown;
}

/** Mutable record of the daemon's recent passes, owned by the status page. */
export class ConsoleState {
  #lastPass: { finishedAt: string; durationSeconds: number; result: string; trips: readonly string[] } | null = null;
  readonly #lastComplete = new Map<SourceName, string>();
  #loop: ConsoleLoop | null = null;

  /** Subscribes to the loop (once the daemon exists). */
  attach(loop: ConsoleLoop, clock: () => Date = () => new Date()): void {
    this.#loop = loop;
    loop.onPass((s) => {
      this.record(s, clock());
    });
  }

  /** Records one finished pass. */
  record(summary: Pick<PassSummary, 'durationSeconds' | 'result' | 'report'>, finishedAt: Date): void {
    this.#lastPass = {
      finishedAt: finishedAt.toISOString(),
      durationSeconds: summary.durationSeconds,
      result: summary.result,
      trips: summary.report?.trips ?? [],
    };
    const report = summary.report;
    if (!report) return;
    for (const [name, s] of Object.entries(report.sources) as [SourceName, { complete: boolean }][]) {
      if (s.complete) this.#lastComplete.set(name, report.observedAt);
    }
  }

  get lastPass(): { finishedAt: string; durationSeconds: number; result: string; trips: readonly string[] } | null {
    return this.#lastPass;
  }

  lastCompleteAt(source: SourceName): string | null {
    return this.#lastComplete.get(source) ?? null;
  }

  /** Asks the loop for a pass soon (after an operator's action), when attached. */
  requestPass(): void {
    this.#loop?.trigger('annotation');
  }
}
