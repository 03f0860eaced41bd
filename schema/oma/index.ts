import type { Migration } from 'kysely';

/** Migrations that reproduce the appliance's `migratekit_oma` tables (tests, demo, bench; never production). */
export const omaMigrations: Record<string, Migration> = {};
