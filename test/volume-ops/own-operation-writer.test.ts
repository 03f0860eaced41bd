/**
 * An operation oma-reconciler runs itself names the database session that wrote it; once that
 * session has ended (the process was killed mid-move), the row holds its volume no longer — the
 * writer's re-check lets the next move through at once instead of after the hour-long stale limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import { parseJsonColumn } from '../../src/db/queries/json-column.js';
import { abandonedOperations } from '../../src/db/queries/writer-sessions.js';
import { operationInFlight } from '../../src/volume-ops/in-flight-operation.js';
import { OWN_OPERATION_MARK, startOwnOperation } from '../../src/volume-ops/own-operation.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('an operation of ours whose writer died', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  const limits = { staleAfterMs: 3_600_000, settleMs: 0, own: new Set<string>() };
  const request = async (id: string) =>
    parseJsonColumn(
      (await t.db.selectFrom('volume_operations').select('request').where('id', '=', id).executeTakeFirstOrThrow())
        .request,
    );

  it('holds the volume while its writer lives, and not once the writer session ended', async () => {
    const writer = connectDatabase(t.url, { connectionLimit: 1 });
    const id = await startOwnOperation(
      writer.db,
      { type: 'detach', volumeId: 'vol-1', vmId: 'vm-1', request: {} },
      new Date(),
    );
    expect(await request(id)).toMatchObject({ requested_by: OWN_OPERATION_MARK, writer_session: expect.any(Number) });
    expect(await operationInFlight(t.db, 'vol-1', limits, new Date())).toMatchObject({ id, status: 'executing' });

    await writer.close(); // as a kill -9 ends every session of the process
    const gone = await abandonedOperations(t.db, [{ id, request: await request(id) }]);
    expect([...gone]).toEqual([id]);
    expect(await operationInFlight(t.db, 'vol-1', limits, new Date())).toBeNull();
  });

  it('judges a row without the mark (the Volume Daemon’s) by its age alone', async () => {
    await t.db
      .insertInto('volume_operations')
      .values({
        id: 'daemon-op',
        type: 'attach',
        status: 'executing',
        volume_id: 'vol-2',
        vm_id: 'vm-1',
        request: JSON.stringify({ vm_id: 'vm-1' }),
        response: null,
        error: null,
        created_at: new Date(),
        updated_at: new Date(),
        completed_at: null,
      })
      .execute();
    expect(await operationInFlight(t.db, 'vol-2', limits, new Date())).toMatchObject({ id: 'daemon-op' });
  });
});
