import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema-types.js';
import type { DriftKind } from '../../world/drift-kinds.js';
import type { DriftItem } from '../../reconcile/types.js';
import { inChunks } from './in-chunks.js';

const CHUNK = 1000;

/**
 * Keeps `oma_reconciler_drift` in step with a pass: drift seen for the first time is inserted with
 * `first_seen_at = now` (the grace clock starts); open drift no longer found is marked resolved —
 * but only for kinds whose sources were all complete, so an unreadable source never "resolves"
 * drift and restarts its grace period. Only changes are written (a constant number of statements
 * when nothing changed).
 */
export async function recordDriftSeen(
  db: Kysely<DB>,
  items: readonly DriftItem[],
  open: Readonly<Record<string, string>>,
  evaluatedKinds: ReadonlySet<DriftKind>,
  now: Date,
): Promise<void> {
  const fresh = items.filter((i) => open[i.id] === undefined);
  await inChunks(fresh, CHUNK, (chunk) =>
    db
      .insertInto('oma_reconciler_drift')
      .values(
        chunk.map((d) => ({
          drift_id: d.id,
          kind: d.kind,
          subject_type: d.subject.type,
          subject_id: d.subject.id.slice(0, 255),
          subject_name: d.subject.name?.slice(0, 255) ?? null,
          first_seen_at: now,
          last_seen_at: now,
          resolved_at: null,
        })),
      )
      .onDuplicateKeyUpdate({ first_seen_at: now, last_seen_at: now, resolved_at: null })
      .execute(),
  );
  const seen = new Set(items.map((i) => i.id));
  const gone = Object.keys(open).filter((id) => !seen.has(id) && evaluatedKinds.has(id.split(':')[0] as DriftKind));
  await inChunks(gone, CHUNK, (chunk) =>
    db
      .updateTable('oma_reconciler_drift')
      .set({ resolved_at: now, last_seen_at: now })
      .where('drift_id', 'in', chunk)
      .where('resolved_at', 'is', null)
      .execute(),
  );
}
