import { Migration } from '@sportello/platform';

export class Migration20261207050202_practice_fees extends Migration {

  override name = 'Migration20261207050202_practice_fees';

  override up(): void | Promise<void> {
    this.addSql(`create table \`practice_fee\` (\`id\` text not null primary key, \`comune\` text not null, \`practice_id\` text not null, \`amount_cents\` integer not null, \`status\` text check (\`status\` in ('requested', 'to-pay', 'paid', 'cancelled', 'exempt')) not null, \`external_ref\` text null, \`request_count\` integer not null, \`requested_at\` datetime null, \`position_id\` text null, \`notice_number\` text null, \`due_date\` text null, \`paid_at\` datetime null, \`exemption_reason\` text null, \`exempted_by\` text null, \`exempted_at\` datetime null);`);
    this.addSql(`create index \`practice_fee_comune_index\` on \`practice_fee\` (\`comune\`);`);
    this.addSql(`create unique index \`practice_fee_practice_id_unique\` on \`practice_fee\` (\`practice_id\`);`);

    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`practice_type__temp_alter\` (\`id\` text not null primary key, \`comune\` text not null, \`code\` text not null, \`title\` text not null, \`office\` text not null, \`description\` text not null, \`form_schema\` json not null, \`required_attachments\` json not null, \`fee_cents\` integer null, \`fee_via_tributi\` integer not null, \`fee_requested_on\` text check (\`fee_requested_on\` in ('submit', 'request')) not null default 'submit', \`expected_duration_days\` integer not null, \`active\` integer not null);`);
    this.addSql(`insert into \`practice_type__temp_alter\` select \`id\`, \`comune\`, \`code\`, \`title\`, \`office\`, \`description\`, \`form_schema\`, \`required_attachments\`, \`fee_cents\`, \`fee_via_tributi\`, 'submit' as \`fee_requested_on\`, \`expected_duration_days\`, \`active\` from \`practice_type\`;`);
    this.addSql(`drop table \`practice_type\`;`);
    this.addSql(`alter table \`practice_type__temp_alter\` rename to \`practice_type\`;`);
    this.addSql(`create index \`practice_type_comune_index\` on \`practice_type\` (\`comune\`);`);
    this.addSql(`create index \`practice_type_comune_office_code_index\` on \`practice_type\` (\`comune\`, \`office\`, \`code\`);`);
    this.addSql(`create unique index \`practice_type_comune_code_unique\` on \`practice_type\` (\`comune\`, \`code\`);`);
    this.addSql(`pragma foreign_keys = on;`);
    // Types whose fee the citizen asks for before submitting (see the catalogue).
    this.addSql(`update \`practice_type\` set \`fee_requested_on\` = 'request' where \`code\` in ('civil-marriage-request', 'building-permit');`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`practice_fee\`;`);

    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`practice_type__temp_alter\` (\`active\` integer not null, \`code\` text not null, \`comune\` text not null, \`description\` text not null, \`expected_duration_days\` integer not null, \`fee_cents\` integer null, \`fee_via_tributi\` integer not null, \`form_schema\` json not null, \`id\` text not null primary key, \`office\` text not null, \`required_attachments\` json not null, \`title\` text not null);`);
    this.addSql(`insert into \`practice_type__temp_alter\` select \`active\`, \`code\`, \`comune\`, \`description\`, \`expected_duration_days\`, \`fee_cents\`, \`fee_via_tributi\`, \`form_schema\`, \`id\`, \`office\`, \`required_attachments\`, \`title\` from \`practice_type\`;`);
    this.addSql(`drop table \`practice_type\`;`);
    this.addSql(`alter table \`practice_type__temp_alter\` rename to \`practice_type\`;`);
    this.addSql(`create unique index \`practice_type_comune_code_unique\` on \`practice_type\` (\`comune\`, \`code\`);`);
    this.addSql(`create index \`practice_type_comune_index\` on \`practice_type\` (\`comune\`);`);
    this.addSql(`create index \`practice_type_comune_office_code_index\` on \`practice_type\` (\`comune\`, \`office\`, \`code\`);`);
    this.addSql(`pragma foreign_keys = on;`);
  }

}
