/**
 * Fault injection, per command (or `*` for every command without its own rule), changeable while
 * the simulator runs: from tests through `sim.faults`, from the demo/bench through `POST /sim/faults`.
 */
import { z } from 'zod';

/** One rule. Everything optional; a rule "fires" on a request when its page condition and rate allow. */
export const faultRuleSchema = z.strictObject({
  /** Added delay before answering, ms. */
  latencyMs: z.number().int().min(0).optional(),
  /** Probability (0..1) that the rule fires; default 1. */
  rate: z.number().min(0).max(1).optional(),
  /** Answer with this error instead: 429 (rate limit text), 530 (CloudStack envelope), 500/502/503/504 (proxy HTML). */
  errorStatus: z
    .union([
      z.literal(429),
      z.literal(500),
      z.literal(502),
      z.literal(503),
      z.literal(504),
      z.literal(530),
      z.literal(534),
    ])
    .optional(),
  /** The wait stated in a 429 text, ms. Default 200. */
  retryAfterMs: z.number().int().min(0).optional(),
  /** Never answer (the client's request timeout must fire). */
  hang: z.boolean().optional(),
  /** Only this page (1-based) of a list call is affected. */
  page: z.number().int().min(1).optional(),
  /** The page answers with this many items fewer than it should. */
  dropItems: z.number().int().min(1).optional(),
  /** The `count` reported differs from the truth by this much. */
  countSkew: z.number().int().optional(),
  /** Async jobs submitted under this rule fail with this error. */
  jobFailure: z.strictObject({ errorcode: z.number().int(), errortext: z.string() }).optional(),
  /** Async jobs submitted under this rule take this long, ms. */
  jobDurationMs: z.number().int().min(0).optional(),
  /** Async jobs submitted under this rule never finish. */
  jobHang: z.boolean().optional(),
  /**
   * With `errorStatus`: the command is executed first (its job queued) and only its answer is lost —
   * a proxy's 502/504 after CloudStack did the work. The client must not blindly send it again.
   */
  afterExecute: z.boolean().optional(),
  /** The rule is removed after firing this many times; default unlimited. */
  times: z.number().int().min(1).optional(),
});

export type FaultRule = z.infer<typeof faultRuleSchema>;

/** `POST /sim/faults` body: a rule plus the command it applies to (default `*`). */
export const faultRequestSchema = faultRuleSchema.extend({ command: z.string().min(1).default('*') });

/** The rules in force. */
export class SimFaults {
  readonly #rules = new Map<string, { rule: FaultRule; remaining: number }>();

  constructor(private readonly random: () => number = Math.random) {}

  /** Sets (replaces) the rule of `command` (`*` = every command without its own rule). */
  set(command: string, rule: FaultRule): void {
    this.#rules.set(command, { rule: faultRuleSchema.parse(rule), remaining: rule.times ?? Infinity });
  }

  /** Removes the rule of `command`, or every rule. */
  clear(command?: string): void {
    if (command === undefined) this.#rules.clear();
    else this.#rules.delete(command);
  }

  /** The rules in force, with how many firings remain (`null` = unlimited). */
  list(): Record<string, FaultRule & { readonly remaining: number | null }> {
    const out: Record<string, FaultRule & { remaining: number | null }> = {};
    for (const [command, { rule, remaining }] of this.#rules) {
      out[command] = { ...rule, remaining: Number.isFinite(remaining) ? remaining : null };
    }
    return out;
  }

  /** The rule that fires for this request, consuming one of its `times`; null when none. */
  fire(command: string, page: number | null): FaultRule | null {
    const key = this.#rules.has(command) ? command : this.#rules.has('*') ? '*' : null;
    if (key === null) return null;
    const entry = this.#rules.get(key);
    if (!entry) return null;
    const { rule } = entry;
    if (rule.page !== undefined && rule.page !== (page ?? 1)) return null;
    if (rule.rate !== undefined && this.random() >= rule.rate) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#rules.delete(key);
    return rule;
  }
}
