/**
 * Runs one statement per chunk of a list, in order, so a large write stays under the server's
 * packet and placeholder limits (one statement when the list fits in a chunk, none when empty).
 */
export async function inChunks<T>(
  items: readonly T[],
  size: number,
  write: (chunk: readonly T[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await write(items.slice(i, i + size));
}
