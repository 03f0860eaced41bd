import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `oma_reconciler_notifications`: the notification outbox. One row per event and receiver, written
 * in the pass that saw the event and kept until the receiver answered 2xx, so a restart loses none;
 * the unique key makes enqueueing the same event twice a no-op.
 */
export const createOmaReconcilerNotifications = ddlMigration(sql`
  create table if not exists oma_reconciler_notifications (
    id bigint unsigned not null auto_increment,
    event_id varchar(191) not null,
    receiver varchar(64) not null,
    event varchar(40) not null,
    payload longtext character set utf8mb4 collate utf8mb4_bin not null check (json_valid(payload)),
    attempts int unsigned not null default 0,
    next_attempt_at datetime(3) not null default current_timestamp(3),
    claimed_until datetime(3) null,
    delivered_at datetime(3) null,
    last_error varchar(1000) null,
    created_at datetime(3) not null default current_timestamp(3),
    primary key (id),
    unique key uq_oma_reconciler_notifications_event (event_id, receiver),
    key idx_oma_reconciler_notifications_due (delivered_at, next_attempt_at)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
