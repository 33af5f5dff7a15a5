import { Migration } from '@sportello/platform';

export class Migration20261123131753_init extends Migration {

  override name = 'Migration20261123131753_init';

  override up(): void | Promise<void> {
    this.addSql(`create table \`appointment\` (\`id\` text not null primary key, \`comune\` text not null, \`calendar_id\` text not null, \`office\` text not null, \`citizen_fiscal_code\` text not null, \`practice_id\` text null, \`starts_at\` datetime not null, \`ends_at\` datetime not null, \`status\` text check (\`status\` in ('booked', 'cancelled')) not null, \`active_slot\` text null, \`cancelled_by\` text check (\`cancelled_by\` in ('citizen', 'staff')) null, \`cancel_reason\` text null, \`reminder_sent_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`appointment_comune_index\` on \`appointment\` (\`comune\`);`);
    this.addSql(`create index \`appointment_citizen_fiscal_code_index\` on \`appointment\` (\`citizen_fiscal_code\`);`);
    this.addSql(`create index \`appointment_starts_at_index\` on \`appointment\` (\`starts_at\`);`);
    this.addSql(`create unique index \`appointment_comune_active_slot_unique\` on \`appointment\` (\`comune\`, \`active_slot\`);`);

    this.addSql(`create table \`attachment\` (\`id\` text not null primary key, \`comune\` text not null, \`practice_id\` text null, \`report_id\` text null, \`kind\` text not null, \`filename\` text not null, \`mime_type\` text not null, \`size\` integer not null, \`sha256\` text not null, \`uploaded_by\` text check (\`uploaded_by\` in ('citizen', 'staff')) not null, \`uploader_id\` text not null, \`uploaded_at\` datetime not null);`);
    this.addSql(`create index \`attachment_comune_index\` on \`attachment\` (\`comune\`);`);
    this.addSql(`create index \`attachment_practice_id_index\` on \`attachment\` (\`practice_id\`);`);
    this.addSql(`create index \`attachment_report_id_index\` on \`attachment\` (\`report_id\`);`);

    this.addSql(`create table \`attachment_content\` (\`id\` text not null primary key, \`comune\` text not null, \`content\` blob not null);`);
    this.addSql(`create index \`attachment_content_comune_index\` on \`attachment_content\` (\`comune\`);`);

    this.addSql(`create table \`citizen_alias\` (\`id\` text not null primary key, \`comune\` text not null, \`fiscal_code\` text not null);`);
    this.addSql(`create index \`citizen_alias_comune_index\` on \`citizen_alias\` (\`comune\`);`);
    this.addSql(`create unique index \`citizen_alias_comune_fiscal_code_unique\` on \`citizen_alias\` (\`comune\`, \`fiscal_code\`);`);

    this.addSql(`create table \`inbox_entry\` (\`consumer\` text not null, \`event_id\` text not null, \`processed_at\` datetime not null, primary key (\`consumer\`, \`event_id\`));`);

    this.addSql(`create table \`integration_request\` (\`id\` text not null primary key, \`comune\` text not null, \`practice_id\` text not null, \`message\` text not null, \`respond_by\` text null, \`requested_by\` text not null, \`requested_at\` datetime not null, \`answer\` text null, \`answered_at\` datetime null);`);
    this.addSql(`create index \`integration_request_comune_index\` on \`integration_request\` (\`comune\`);`);
    this.addSql(`create index \`integration_request_practice_id_index\` on \`integration_request\` (\`practice_id\`);`);

    this.addSql(`create table \`office_calendar\` (\`id\` text not null primary key, \`comune\` text not null, \`office\` text not null, \`name\` text not null, \`location\` text not null, \`slot_minutes\` integer not null, \`opening_hours\` json not null, \`closed_days\` json not null, \`time_zone\` text not null);`);
    this.addSql(`create index \`office_calendar_comune_index\` on \`office_calendar\` (\`comune\`);`);
    this.addSql(`create index \`office_calendar_office_index\` on \`office_calendar\` (\`office\`);`);

    this.addSql(`create table \`outbox_message\` (\`id\` text not null primary key, \`type\` text not null, \`bus_subject\` text not null, \`subject\` text not null, \`payload\` json not null, \`comune\` text not null, \`created_at\` datetime not null, \`published_at\` datetime null, \`attempts\` integer not null default 0, \`last_error\` text null);`);
    this.addSql(`create index \`outbox_message_comune_index\` on \`outbox_message\` (\`comune\`);`);
    this.addSql(`create index \`outbox_message_pending_idx\` on \`outbox_message\` (\`published_at\`, \`created_at\`);`);

    this.addSql(`create table \`practice\` (\`id\` text not null primary key, \`comune\` text not null, \`type_code\` text not null, \`office\` text not null, \`status\` text check (\`status\` in ('draft', 'payment-pending', 'payment-outcome-pending', 'payment-succeeded', 'payment-failed', 'submitted', 'registered', 'taken-in-charge', 'integration-requested', 'integration-answered', 'submitted-after-integration', 'processing', 'accepted', 'rejected', 'withdrawn')) not null, \`applicant_fiscal_code\` text not null, \`on_behalf_of_fiscal_code\` text null, \`data\` json not null, \`protocol_number\` text null, \`registered_at\` datetime null, \`submitted_at\` datetime null, \`outcome_reason\` text null, \`change_count\` integer not null, \`version\` integer not null default 1, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`practice_comune_index\` on \`practice\` (\`comune\`);`);
    this.addSql(`create index \`practice_applicant_fiscal_code_index\` on \`practice\` (\`applicant_fiscal_code\`);`);
    this.addSql(`create index \`practice_on_behalf_of_fiscal_code_index\` on \`practice\` (\`on_behalf_of_fiscal_code\`);`);
    this.addSql(`create index \`practice_comune_office_status_id_index\` on \`practice\` (\`comune\`, \`office\`, \`status\`, \`id\`);`);
    this.addSql(`create unique index \`practice_comune_protocol_number_unique\` on \`practice\` (\`comune\`, \`protocol_number\`);`);

    this.addSql(`create table \`practice_change\` (\`id\` text not null primary key, \`comune\` text not null, \`practice_id\` text not null, \`sequence\` integer not null, \`at\` datetime not null, \`action\` text not null, \`from_status\` text check (\`from_status\` in ('draft', 'payment-pending', 'payment-outcome-pending', 'payment-succeeded', 'payment-failed', 'submitted', 'registered', 'taken-in-charge', 'integration-requested', 'integration-answered', 'submitted-after-integration', 'processing', 'accepted', 'rejected', 'withdrawn')) null, \`to_status\` text check (\`to_status\` in ('draft', 'payment-pending', 'payment-outcome-pending', 'payment-succeeded', 'payment-failed', 'submitted', 'registered', 'taken-in-charge', 'integration-requested', 'integration-answered', 'submitted-after-integration', 'processing', 'accepted', 'rejected', 'withdrawn')) not null, \`actor_kind\` text not null, \`actor_id\` text not null, \`note\` text null, \`protocol_number\` text null);`);
    this.addSql(`create index \`practice_change_comune_index\` on \`practice_change\` (\`comune\`);`);
    this.addSql(`create index \`practice_change_practice_id_index\` on \`practice_change\` (\`practice_id\`);`);
    this.addSql(`create unique index \`practice_change_practice_id_sequence_unique\` on \`practice_change\` (\`practice_id\`, \`sequence\`);`);

    this.addSql(`create table \`practice_message\` (\`id\` text not null primary key, \`comune\` text not null, \`practice_id\` text not null, \`author\` text check (\`author\` in ('citizen', 'staff')) not null, \`author_id\` text not null, \`body\` text not null, \`posted_at\` datetime not null);`);
    this.addSql(`create index \`practice_message_comune_index\` on \`practice_message\` (\`comune\`);`);
    this.addSql(`create index \`practice_message_practice_id_index\` on \`practice_message\` (\`practice_id\`);`);

    this.addSql(`create table \`practice_type\` (\`id\` text not null primary key, \`comune\` text not null, \`code\` text not null, \`title\` text not null, \`office\` text not null, \`description\` text not null, \`form_schema\` json not null, \`required_attachments\` json not null, \`fee_cents\` integer null, \`fee_via_tributi\` integer not null, \`expected_duration_days\` integer not null, \`active\` integer not null);`);
    this.addSql(`create index \`practice_type_comune_index\` on \`practice_type\` (\`comune\`);`);
    this.addSql(`create index \`practice_type_comune_office_code_index\` on \`practice_type\` (\`comune\`, \`office\`, \`code\`);`);
    this.addSql(`create unique index \`practice_type_comune_code_unique\` on \`practice_type\` (\`comune\`, \`code\`);`);

    this.addSql(`create table \`protocol_counter\` (\`id\` text not null primary key, \`comune\` text not null, \`year\` integer not null, \`value\` integer not null);`);
    this.addSql(`create index \`protocol_counter_comune_index\` on \`protocol_counter\` (\`comune\`);`);
    this.addSql(`create unique index \`protocol_counter_comune_year_unique\` on \`protocol_counter\` (\`comune\`, \`year\`);`);

    this.addSql(`create table \`report\` (\`id\` text not null primary key, \`comune\` text not null, \`category\` text not null, \`description\` text not null, \`latitude\` double not null, \`longitude\` double not null, \`address\` text null, \`reporter_fiscal_code\` text null, \`status\` text check (\`status\` in ('received', 'taken-in-charge', 'in-progress', 'resolved', 'rejected')) not null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`report_comune_index\` on \`report\` (\`comune\`);`);
    this.addSql(`create index \`report_reporter_fiscal_code_index\` on \`report\` (\`reporter_fiscal_code\`);`);
    this.addSql(`create index \`report_comune_status_id_index\` on \`report\` (\`comune\`, \`status\`, \`id\`);`);

    this.addSql(`create table \`report_change\` (\`id\` text not null primary key, \`comune\` text not null, \`report_id\` text not null, \`at\` datetime not null, \`from_status\` text check (\`from_status\` in ('received', 'taken-in-charge', 'in-progress', 'resolved', 'rejected')) null, \`to_status\` text check (\`to_status\` in ('received', 'taken-in-charge', 'in-progress', 'resolved', 'rejected')) not null, \`actor_kind\` text not null, \`actor_id\` text not null, \`note\` text null);`);
    this.addSql(`create index \`report_change_comune_index\` on \`report_change\` (\`comune\`);`);
    this.addSql(`create index \`report_change_report_id_index\` on \`report_change\` (\`report_id\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`appointment\`;`);
    this.addSql(`drop table if exists \`attachment\`;`);
    this.addSql(`drop table if exists \`attachment_content\`;`);
    this.addSql(`drop table if exists \`citizen_alias\`;`);
    this.addSql(`drop table if exists \`inbox_entry\`;`);
    this.addSql(`drop table if exists \`integration_request\`;`);
    this.addSql(`drop table if exists \`office_calendar\`;`);
    this.addSql(`drop table if exists \`outbox_message\`;`);
    this.addSql(`drop table if exists \`practice\`;`);
    this.addSql(`drop table if exists \`practice_change\`;`);
    this.addSql(`drop table if exists \`practice_message\`;`);
    this.addSql(`drop table if exists \`practice_type\`;`);
    this.addSql(`drop table if exists \`protocol_counter\`;`);
    this.addSql(`drop table if exists \`report\`;`);
    this.addSql(`drop table if exists \`report_change\`;`);
  }

}
