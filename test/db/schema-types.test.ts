import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_COLUMNS } from '../../src/db/schema-types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('the typed DB interface', () => {
  let db: TestDatabase;
  let columns: Map<string, string[]>;
  beforeAll(async () => {
    db = await createTestDatabase();
    const rows = await sql<{ t: string; c: string }>`
      select table_name as t, column_name as c from information_schema.columns
      where table_schema = database() and table_name not like '%migrations%' order by table_name, ordinal_position`.execute(
      db.db,
    );
    columns = new Map();
    for (const r of rows.rows) columns.set(r.t, [...(columns.get(r.t) ?? []), r.c]);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('covers every table both migration sets create, and no other', () => {
    expect(Object.keys(DB_COLUMNS).sort()).toEqual([...columns.keys()].sort());
  });

  it.each(Object.keys(DB_COLUMNS))('lists exactly the columns of %s', (table) => {
    expect([...DB_COLUMNS[table as keyof typeof DB_COLUMNS]].sort()).toEqual([...(columns.get(table) ?? [])].sort());
  });
});
