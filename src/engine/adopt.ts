/**
 * Adoption: an operator declares that a CloudStack object which only *looks* like the appliance's
 * (a `migration-*` volume the OMA database never referenced, a snapshot, a test VM) is in fact
 * ours. The object goes into the ownership ledger marked adopted; from the next pass on, the
 * reconcilers may act on it behind every other gate. Each adoption is an audited, reversible action
 * (`undo ACTION_ID` puts the ledger back as it was).
 */
import type { EngineDeps } from './engine-deps.js';
import { recordIntent, recordOutcome } from './store/audit-log.js';

/** The CloudStack object types the ownership ledger knows. */
export const ADOPTABLE_TYPES = ['volume', 'snapshot', 'vm'] as const;
export type AdoptableType = (typeof ADOPTABLE_TYPES)[number];

/** What an operator asks for. */
export interface AdoptRequest {
  readonly type: AdoptableType;
  readonly id: string;
  /** Why it is ours (kept in the ledger and the audit log). */
  readonly reason: string;
  readonly by: string;
}

/** Outcome of an adoption. `actionId` is the audit record `undo` reverses. */
export interface AdoptResult {
  readonly status: 'adopted' | 'already-owned' | 'not-found' | 'failed';
  readonly message: string;
  readonly actionId: string | null;
}

/** What `undo` needs to put the ledger back: the row as it was, or null when there was none. */
export interface AdoptUndoData {
  readonly objectType: AdoptableType;
  readonly objectId: string;
  readonly previous: { readonly adopted: number; readonly adoptedBy: string | null; readonly reason: string } | null;
}

/** The audit action verb of an adoption of `type`. */
export function adoptAction(type: AdoptableType): string {
  return `adopt-${type}`;
}

async function existsInCloudStack(
  deps: EngineDeps,
  type: AdoptableType,
  id: string,
): Promise<{ found: boolean; name: string | null; error?: string }> {
  const { client } = await deps.cloudstack();
  const listing =
    type === 'volume'
      ? await client.listVolumes({ id })
      : type === 'snapshot'
        ? await client.listSnapshots({ id })
        : await client.listVirtualMachines({ id });
  const item = listing.items.find((i) => i.id === id);
  // An incomplete listing that does not show the object says nothing: refuse rather than guess.
  if (item === undefined && !listing.complete) {
    return { found: false, name: null, error: listing.error ?? 'listing incomplete' };
  }
  return { found: item !== undefined, name: item?.name ?? null };
}

/**
 * Adopts one CloudStack object. The object must exist in CloudStack now (checked live), so a typo
 * adopts nothing. Adopting an object the ledger already marks adopted changes nothing.
 */
export async function adoptSubject(deps: EngineDeps, request: AdoptRequest): Promise<AdoptResult> {
  const db = deps.database.db;
  const existing = await db
    .selectFrom('oma_reconciler_ledger')
    .select(['adopted', 'adopted_by', 'reason'])
    .where('object_type', '=', request.type)
    .where('object_id', '=', request.id)
    .executeTakeFirst();
  if (existing?.adopted === 1) {
    return {
      status: 'already-owned',
      message: `${request.type} ${request.id} was already adopted by ${existing.adopted_by ?? 'an operator'}`,
      actionId: null,
    };
  }
  const live = await existsInCloudStack(deps, request.type, request.id);
  if (live.error !== undefined) {
    return {
      status: 'failed',
      message: `cannot check ${request.type} ${request.id} in CloudStack: ${live.error}`,
      actionId: null,
    };
  }
  if (!live.found) {
    return {
      status: 'not-found',
      message: `CloudStack has no ${request.type} ${request.id}; nothing adopted`,
      actionId: null,
    };
  }
  const now = deps.clock();
  const undo: AdoptUndoData = {
    objectType: request.type,
    objectId: request.id,
    previous: existing ? { adopted: existing.adopted, adoptedBy: existing.adopted_by, reason: existing.reason } : null,
  };
  const actionId = await recordIntent(db, {
    passId: `adopt-${now.getTime()}`,
    driftId: null,
    kind: 'ownership',
    action: adoptAction(request.type),
    subject: { type: request.type, id: request.id, name: live.name },
    contextId: null,
    destructive: false,
    detail: { reason: request.reason, previous: undo.previous },
    actor: request.by,
    leaderHost: deps.hostname,
  });
  const reason = `adopted by ${request.by}: ${request.reason}`.slice(0, 500);
  await db
    .insertInto('oma_reconciler_ledger')
    .values({
      object_type: request.type,
      object_id: request.id,
      first_seen_at: now,
      last_seen_at: now,
      reason,
      adopted: 1,
      adopted_by: request.by.slice(0, 255),
    })
    .onDuplicateKeyUpdate({ adopted: 1, adopted_by: request.by.slice(0, 255), reason, last_seen_at: now })
    .execute();
  await recordOutcome(db, actionId, 'success', null, undo, now);
  return {
    status: 'adopted',
    message: `adopted ${request.type} ${request.id}${live.name ? ` (${live.name})` : ''}; undo with: oma-reconciler undo ${actionId}`,
    actionId,
  };
}

/** Reverses an adoption from its undo data: removes the ledger row it added, or restores the one it changed. */
export async function undoAdoption(deps: EngineDeps, data: AdoptUndoData): Promise<string> {
  const db = deps.database.db;
  const where = db
    .updateTable('oma_reconciler_ledger')
    .where('object_type', '=', data.objectType)
    .where('object_id', '=', data.objectId);
  if (data.previous === null) {
    await db
      .deleteFrom('oma_reconciler_ledger')
      .where('object_type', '=', data.objectType)
      .where('object_id', '=', data.objectId)
      .execute();
    return `${data.objectType} ${data.objectId} is no longer adopted (removed from the ownership ledger)`;
  }
  await where
    .set({ adopted: data.previous.adopted, adopted_by: data.previous.adoptedBy, reason: data.previous.reason })
    .execute();
  return `${data.objectType} ${data.objectId} is no longer adopted (ledger entry restored)`;
}
