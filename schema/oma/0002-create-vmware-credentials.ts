import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/**
 * `vmware_credentials`, only so that `vm_replication_contexts.credential_id` keeps its real FK
 * (ON DELETE SET NULL). Same column types as the appliance; the reconciler never reads it.
 */
export const createVmwareCredentials = ddlMigration(sql`
  create table if not exists vmware_credentials (
    id int(11) not null auto_increment,
    credential_name varchar(255) not null,
    vcenter_host varchar(255) not null,
    username varchar(255) not null,
    password_encrypted text not null,
    datacenter varchar(255) not null,
    is_active tinyint(1) default 1,
    is_default tinyint(1) default 0,
    created_at timestamp null default current_timestamp(),
    updated_at timestamp null default current_timestamp() on update current_timestamp(),
    created_by varchar(255) default null,
    last_used timestamp null default null,
    usage_count int(11) default 0,
    primary key (id),
    unique key credential_name (credential_name)
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
