import type { Migration } from 'kysely';

/** Migrations `oma-reconciler migrate` applies to a real `migratekit_oma`. */
export const reconcilerMigrations: Record<string, Migration> = {};
