/**
 * A small whole-file line diff for dry runs (export snippets and authfiles are a few lines long,
 * so a full LCS table is cheap and the output shows every line with ` `, `-` or `+`).
 */

function lines(text: string | null): string[] {
  if (text === null || text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

/**
 * Diff of one file in a unified-like layout; `null` stands for "absent" (`/dev/null`).
 * Returns an empty string when nothing changes.
 */
export function fileDiff(path: string, before: string | null, after: string | null): string {
  if (before === after) return '';
  const a = lines(before);
  const b = lines(after);
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = lcs[i] ?? [];
      row[j] = a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const out = [`--- ${before === null ? '/dev/null' : path}`, `+++ ${after === null ? '/dev/null' : path}`];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i++] ?? ''}`);
      j++;
    } else if (i < a.length && (j >= b.length || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      // Removals first, as diff(1) prints them.
      out.push(`-${a[i++] ?? ''}`);
    } else {
      out.push(`+${b[j++] ?? ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}
