/** ISO-8601 (UTC) of a database time, or null. */
export function isoOrNull(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}

/** ISO-8601 of the first non-null time; the Unix epoch when all are null (for non-null world fields). */
export function isoOfFirst(...values: readonly (Date | null | undefined)[]): string {
  for (const v of values) if (v) return v.toISOString();
  return new Date(0).toISOString();
}

/** ISO-8601 of the newest of the given times, or null when all are null. */
export function isoOfNewest(...values: readonly (Date | null | undefined)[]): string | null {
  let newest: Date | null = null;
  for (const v of values) if (v && (!newest || v.getTime() > newest.getTime())) newest = v;
  return isoOrNull(newest);
}
