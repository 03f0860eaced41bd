/** Process exit codes of the CLI (contract: plan 0 no drift / 1 drift / 2 error). */
export const EXIT = {
  ok: 0,
  /** plan: drift found; apply: some actions blocked or failed; undo: not reversible. */
  drift: 1,
  /** Usage, configuration, unknown subject, or any error. */
  error: 2,
} as const;
