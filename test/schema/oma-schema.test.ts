import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { EXPECTED_OMA_CORE_TABLES } from './expected-oma-core-tables.js';
import { EXPECTED_OMA_OTHER_TABLES } from './expected-oma-other-tables.js';
import { EXPECTED_RECONCILER_ADDITIONS, EXPECTED_RECONCILER_TABLES } from './expected-reconciler-tables.js';
import { readTableShapes, withAdditions, type TableShape } from './table-shape.js';

const OMA = { ...EXPECTED_OMA_CORE_TABLES, ...EXPECTED_OMA_OTHER_TABLES };
const BOOKKEEPING = [
  'oma_schema_migrations',
  'oma_schema_migrations_lock',
  'oma_reconciler_migrations',
  'oma_reconciler_migrations_lock',
];

describe('the appliance reproduction (schema/oma)', () => {
  let db: TestDatabase;
  let shapes: Record<string, TableShape>;
  beforeAll(async () => {
    db = await createTestDatabase(['oma']);
    shapes = await readTableShapes(db.db);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('creates exactly the reproduced tables and its migration bookkeeping', () => {
    expect(Object.keys(shapes).sort()).toEqual(
      [...Object.keys(OMA), 'oma_schema_migrations', 'oma_schema_migrations_lock'].sort(),
    );
  });

  it.each(Object.keys(OMA))(
    'reproduces %s as the production dump has it: columns, types, defaults, keys, FKs and checks',
    (table) => {
      expect(shapes[table]).toEqual(OMA[table]);
    },
  );

  it('keeps the traps of the real schema a reconciler must live with', () => {
    const dm = shapes.device_mappings!;
    expect(dm.indexes).toContain('UNIQUE unique_device_path (device_path)');
    expect(dm.indexes.filter((i) => i.endsWith('(volume_uuid)') && i.startsWith('UNIQUE'))).toHaveLength(2);
    expect(shapes.failover_jobs!.foreignKeys.some((f) => f.includes('replication_job_id'))).toBe(false);
    expect(shapes.vm_export_mappings!.collation).toBe('utf8mb4_unicode_ci');
    expect(shapes.ossea_volumes!.indexes).toContain('UNIQUE idx_ossea_volumes_volume_id (volume_id) HASH');
  });
});

describe('the appliance after oma-reconciler migrate (schema/oma + schema/reconciler)', () => {
  let db: TestDatabase;
  let shapes: Record<string, TableShape>;
  beforeAll(async () => {
    db = await createTestDatabase();
    shapes = await readTableShapes(db.db);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('has the appliance tables, the reconciler tables and both bookkeeping sets, nothing else', () => {
    expect(Object.keys(shapes).sort()).toEqual(
      [...Object.keys(OMA), ...Object.keys(EXPECTED_RECONCILER_TABLES), ...BOOKKEEPING].sort(),
    );
  });

  it.each(Object.keys(OMA))('changes %s only by the annotations column and fk_failover_replication', (table) => {
    expect(shapes[table]).toEqual(withAdditions(OMA[table]!, EXPECTED_RECONCILER_ADDITIONS[table]));
  });

  it.each(Object.keys(EXPECTED_RECONCILER_TABLES))('creates the reconciler table %s as designed', (table) => {
    expect(shapes[table]).toEqual(EXPECTED_RECONCILER_TABLES[table]);
  });
});
