import { sql } from 'kysely';
import { ddlMigration } from '../ddl-migration.js';

/** `ossea_configs`: CloudStack credentials and the OMA VM id (`is_active = 1` selects "the" config). */
export const createOsseaConfigs = ddlMigration(sql`
  create table if not exists ossea_configs (
    id bigint(20) not null auto_increment,
    name longtext not null,
    api_url longtext not null,
    api_key longtext not null,
    secret_key longtext not null,
    domain longtext default null,
    zone longtext not null,
    template_id longtext default null,
    network_id longtext default null,
    service_offering_id longtext default null,
    disk_offering_id longtext default null,
    oma_vm_id longtext default null,
    created_at datetime(3) default null,
    updated_at datetime(3) default null,
    is_active tinyint(1) default 1,
    primary key (id),
    unique key idx_ossea_configs_name (name) using hash
  ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
