import { Migration } from '@sportello/platform';

export class Migration20261123130353_init extends Migration {

  override name = 'Migration20261123130353_init';

  override up(): void | Promise<void> {
    this.addSql(`create table \`alert\` (\`id\` text not null primary key, \`comune\` text not null, \`hazard\` text check (\`hazard\` in ('hydrogeological', 'hydraulic', 'thunderstorms', 'wind', 'snow', 'ice', 'storm-surge', 'avalanches', 'coastal')) not null, \`colour\` text check (\`colour\` in ('green', 'yellow', 'orange', 'red')) not null, \`whole_comune\` integer not null, \`zone_codes\` json not null, \`valid_from\` datetime not null, \`valid_until\` datetime not null, \`phase\` text check (\`phase\` in ('attention', 'pre-alarm', 'alarm')) null, \`headline\` text null, \`instructions\` text not null, \`bulletin_reference\` text null, \`status\` text check (\`status\` in ('active', 'cancelled')) not null, \`message_times\` json not null, \`issued_by\` text not null, \`issued_at\` datetime not null, \`updated_at\` datetime not null, \`cancelled_at\` datetime null, \`cancel_reason\` text null);`);
    this.addSql(`create index \`alert_comune_index\` on \`alert\` (\`comune\`);`);
    this.addSql(`create index \`alert_valid_until_index\` on \`alert\` (\`valid_until\`);`);
    this.addSql(`create index \`alert_status_index\` on \`alert\` (\`status\`);`);

    this.addSql(`create table \`alert_zone\` (\`id\` text not null primary key, \`comune\` text not null, \`code\` text not null, \`name\` text not null, \`regional_alert_zone\` text null, \`description\` text null);`);
    this.addSql(`create index \`alert_zone_comune_index\` on \`alert_zone\` (\`comune\`);`);
    this.addSql(`create unique index \`alert_zone_comune_code_unique\` on \`alert_zone\` (\`comune\`, \`code\`);`);

    this.addSql(`create table \`emergency_area\` (\`id\` text not null primary key, \`comune\` text not null, \`code\` text not null, \`name\` text not null, \`kind\` text check (\`kind\` in ('waiting', 'assistance', 'staging', 'landing')) not null, \`latitude\` double not null, \`longitude\` double not null, \`capacity\` integer null, \`address\` text null, \`zone_code\` text null);`);
    this.addSql(`create index \`emergency_area_comune_index\` on \`emergency_area\` (\`comune\`);`);
    this.addSql(`create index \`emergency_area_kind_index\` on \`emergency_area\` (\`kind\`);`);
    this.addSql(`create unique index \`emergency_area_comune_code_unique\` on \`emergency_area\` (\`comune\`, \`code\`);`);

    this.addSql(`create table \`emergency_number\` (\`id\` text not null primary key, \`comune\` text not null, \`number\` text not null, \`label\` text not null, \`position\` integer not null);`);
    this.addSql(`create index \`emergency_number_comune_index\` on \`emergency_number\` (\`comune\`);`);

    this.addSql(`create table \`inbox_entry\` (\`consumer\` text not null, \`event_id\` text not null, \`processed_at\` datetime not null, primary key (\`consumer\`, \`event_id\`));`);

    this.addSql(`create table \`ordinance\` (\`id\` text not null primary key, \`comune\` text not null, \`status\` text check (\`status\` in ('draft', 'published')) not null, \`number\` integer null, \`year\` integer null, \`protocol_number\` text null, \`adopted_on\` text null, \`subject\` text not null, \`legal_basis\` text check (\`legal_basis\` in ('tuel-art-50-c5', 'tuel-art-54-c4')) not null, \`reasons\` text not null, \`measures\` json not null, \`effective_from\` datetime not null, \`effective_until\` datetime null, \`scope_kind\` text check (\`scope_kind\` in ('whole-comune', 'zones', 'streets')) not null, \`zone_codes\` json not null, \`streets\` json not null, \`alert_id\` text null, \`corrects_id\` text null, \`enforcing_body\` text not null, \`appeal_clause\` text not null, \`addressees\` text null, \`published_at\` datetime null, \`created_by\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`ordinance_comune_index\` on \`ordinance\` (\`comune\`);`);
    this.addSql(`create index \`ordinance_status_index\` on \`ordinance\` (\`status\`);`);
    this.addSql(`create index \`ordinance_corrects_id_index\` on \`ordinance\` (\`corrects_id\`);`);
    this.addSql(`create unique index \`ordinance_comune_year_number_unique\` on \`ordinance\` (\`comune\`, \`year\`, \`number\`);`);

    this.addSql(`create table \`outbox_message\` (\`id\` text not null primary key, \`type\` text not null, \`bus_subject\` text not null, \`subject\` text not null, \`payload\` json not null, \`comune\` text not null, \`created_at\` datetime not null, \`published_at\` datetime null, \`attempts\` integer not null default 0, \`last_error\` text null);`);
    this.addSql(`create index \`outbox_message_comune_index\` on \`outbox_message\` (\`comune\`);`);
    this.addSql(`create index \`outbox_message_pending_idx\` on \`outbox_message\` (\`published_at\`, \`created_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`alert\`;`);
    this.addSql(`drop table if exists \`alert_zone\`;`);
    this.addSql(`drop table if exists \`emergency_area\`;`);
    this.addSql(`drop table if exists \`emergency_number\`;`);
    this.addSql(`drop table if exists \`inbox_entry\`;`);
    this.addSql(`drop table if exists \`ordinance\`;`);
    this.addSql(`drop table if exists \`outbox_message\`;`);
  }

}
