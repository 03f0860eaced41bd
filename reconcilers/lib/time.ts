/** Time arithmetic on the ISO strings of a world; `now` always comes from the caller. */

/** Milliseconds since the epoch, or null when the text is not a time. */
export function parseTime(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined || iso === '') return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** Whole seconds from `iso` to `now` (negative when in the future), or null when unknown. */
export function ageSeconds(iso: string | null | undefined, now: Date): number | null {
  const ms = parseTime(iso);
  return ms === null ? null : Math.floor((now.getTime() - ms) / 1000);
}

/** `iso` plus `seconds`, as ISO, or null when `iso` is not a time. */
export function addSeconds(iso: string, seconds: number): string | null {
  const ms = parseTime(iso);
  return ms === null ? null : new Date(ms + seconds * 1000).toISOString();
}

/** The newest of several times (ISO), ignoring unknown ones; null when none is known. */
export function newest(...isos: readonly (string | null | undefined)[]): string | null {
  let best: { iso: string; ms: number } | null = null;
  for (const iso of isos) {
    const ms = parseTime(iso);
    if (iso && ms !== null && (best === null || ms > best.ms)) best = { iso, ms };
  }
  return best?.iso ?? null;
}

/** "2h 5m" style rendering of a duration for notes and evidence. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}
