/**
 * Typed view of the tables oma-reconciler reads and writes (the `migratekit_oma` subset of
 * `schema/oma` plus the reconciler's own tables of `schema/reconciler`). Hand-written; a test
 * compares it with `information_schema` of a migrated database.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DB {}
