import { Migration } from '@sportello/platform';

export class Migration20261123131753_init extends Migration {

  override name = 'Migration20261123131753_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "appointment" ("id" uuid not null, "comune" varchar(6) not null, "calendar_id" uuid not null, "office" varchar(60) not null, "citizen_fiscal_code" varchar(16) not null, "practice_id" uuid null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "status" text not null, "active_slot" varchar(100) null, "cancelled_by" text null, "cancel_reason" text null, "reminder_sent_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "appointment_comune_index" on "appointment" ("comune");`);
    this.addSql(`create index "appointment_citizen_fiscal_code_index" on "appointment" ("citizen_fiscal_code");`);
    this.addSql(`create index "appointment_starts_at_index" on "appointment" ("starts_at");`);
    this.addSql(`alter table "appointment" add constraint "appointment_comune_active_slot_unique" unique ("comune", "active_slot");`);

    this.addSql(`create table "attachment" ("id" uuid not null, "comune" varchar(6) not null, "practice_id" uuid null, "report_id" uuid null, "kind" varchar(100) not null, "filename" varchar(255) not null, "mime_type" varchar(100) not null, "size" int not null, "sha256" varchar(64) not null, "uploaded_by" text not null, "uploader_id" varchar(200) not null, "uploaded_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "attachment_comune_index" on "attachment" ("comune");`);
    this.addSql(`create index "attachment_practice_id_index" on "attachment" ("practice_id");`);
    this.addSql(`create index "attachment_report_id_index" on "attachment" ("report_id");`);

    this.addSql(`create table "attachment_content" ("id" uuid not null, "comune" varchar(6) not null, "content" bytea not null, primary key ("id"));`);
    this.addSql(`create index "attachment_content_comune_index" on "attachment_content" ("comune");`);

    this.addSql(`create table "citizen_alias" ("id" uuid not null, "comune" varchar(6) not null, "fiscal_code" varchar(16) not null, primary key ("id"));`);
    this.addSql(`create index "citizen_alias_comune_index" on "citizen_alias" ("comune");`);
    this.addSql(`alter table "citizen_alias" add constraint "citizen_alias_comune_fiscal_code_unique" unique ("comune", "fiscal_code");`);

    this.addSql(`create table "inbox_entry" ("consumer" varchar(100) not null, "event_id" uuid not null, "processed_at" timestamptz(3) not null, primary key ("consumer", "event_id"));`);

    this.addSql(`create table "integration_request" ("id" uuid not null, "comune" varchar(6) not null, "practice_id" uuid not null, "message" text not null, "respond_by" varchar(10) null, "requested_by" varchar(200) not null, "requested_at" timestamptz not null, "answer" text null, "answered_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "integration_request_comune_index" on "integration_request" ("comune");`);
    this.addSql(`create index "integration_request_practice_id_index" on "integration_request" ("practice_id");`);

    this.addSql(`create table "office_calendar" ("id" uuid not null, "comune" varchar(6) not null, "office" varchar(60) not null, "name" varchar(200) not null, "location" varchar(300) not null, "slot_minutes" int not null, "opening_hours" jsonb not null, "closed_days" jsonb not null, "time_zone" varchar(60) not null, primary key ("id"));`);
    this.addSql(`create index "office_calendar_comune_index" on "office_calendar" ("comune");`);
    this.addSql(`create index "office_calendar_office_index" on "office_calendar" ("office");`);

    this.addSql(`create table "outbox_message" ("id" uuid not null, "type" varchar(100) not null, "bus_subject" varchar(255) not null, "subject" varchar(200) not null, "payload" jsonb not null, "comune" varchar(6) not null, "created_at" timestamptz(3) not null, "published_at" timestamptz(3) null, "attempts" int not null default 0, "last_error" text null, primary key ("id"));`);
    this.addSql(`create index "outbox_message_comune_index" on "outbox_message" ("comune");`);
    this.addSql(`create index "outbox_message_pending_idx" on "outbox_message" ("published_at", "created_at");`);

    this.addSql(`create table "practice" ("id" uuid not null, "comune" varchar(6) not null, "type_code" varchar(100) not null, "office" varchar(60) not null, "status" text not null, "applicant_fiscal_code" varchar(16) not null, "on_behalf_of_fiscal_code" varchar(16) null, "data" jsonb not null, "protocol_number" varchar(20) null, "registered_at" timestamptz null, "submitted_at" timestamptz null, "outcome_reason" text null, "change_count" int not null, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "practice_comune_index" on "practice" ("comune");`);
    this.addSql(`create index "practice_applicant_fiscal_code_index" on "practice" ("applicant_fiscal_code");`);
    this.addSql(`create index "practice_on_behalf_of_fiscal_code_index" on "practice" ("on_behalf_of_fiscal_code");`);
    this.addSql(`create index "practice_comune_office_status_id_index" on "practice" ("comune", "office", "status", "id");`);
    this.addSql(`alter table "practice" add constraint "practice_comune_protocol_number_unique" unique ("comune", "protocol_number");`);

    this.addSql(`create table "practice_change" ("id" uuid not null, "comune" varchar(6) not null, "practice_id" uuid not null, "sequence" int not null, "at" timestamptz not null, "action" varchar(60) not null, "from_status" text null, "to_status" text not null, "actor_kind" varchar(20) not null, "actor_id" varchar(200) not null, "note" text null, "protocol_number" varchar(20) null, primary key ("id"));`);
    this.addSql(`create index "practice_change_comune_index" on "practice_change" ("comune");`);
    this.addSql(`create index "practice_change_practice_id_index" on "practice_change" ("practice_id");`);
    this.addSql(`alter table "practice_change" add constraint "practice_change_practice_id_sequence_unique" unique ("practice_id", "sequence");`);

    this.addSql(`create table "practice_message" ("id" uuid not null, "comune" varchar(6) not null, "practice_id" uuid not null, "author" text not null, "author_id" varchar(200) not null, "body" text not null, "posted_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "practice_message_comune_index" on "practice_message" ("comune");`);
    this.addSql(`create index "practice_message_practice_id_index" on "practice_message" ("practice_id");`);

    this.addSql(`create table "practice_type" ("id" uuid not null, "comune" varchar(6) not null, "code" varchar(100) not null, "title" varchar(300) not null, "office" varchar(60) not null, "description" text not null, "form_schema" jsonb not null, "required_attachments" jsonb not null, "fee_cents" int null, "fee_via_tributi" boolean not null, "expected_duration_days" int not null, "active" boolean not null, primary key ("id"));`);
    this.addSql(`create index "practice_type_comune_index" on "practice_type" ("comune");`);
    this.addSql(`create index "practice_type_comune_office_code_index" on "practice_type" ("comune", "office", "code");`);
    this.addSql(`alter table "practice_type" add constraint "practice_type_comune_code_unique" unique ("comune", "code");`);

    this.addSql(`create table "protocol_counter" ("id" uuid not null, "comune" varchar(6) not null, "year" int not null, "value" int not null, primary key ("id"));`);
    this.addSql(`create index "protocol_counter_comune_index" on "protocol_counter" ("comune");`);
    this.addSql(`alter table "protocol_counter" add constraint "protocol_counter_comune_year_unique" unique ("comune", "year");`);

    this.addSql(`create table "report" ("id" uuid not null, "comune" varchar(6) not null, "category" varchar(100) not null, "description" text not null, "latitude" double precision not null, "longitude" double precision not null, "address" varchar(300) null, "reporter_fiscal_code" varchar(16) null, "status" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "report_comune_index" on "report" ("comune");`);
    this.addSql(`create index "report_reporter_fiscal_code_index" on "report" ("reporter_fiscal_code");`);
    this.addSql(`create index "report_comune_status_id_index" on "report" ("comune", "status", "id");`);

    this.addSql(`create table "report_change" ("id" uuid not null, "comune" varchar(6) not null, "report_id" uuid not null, "at" timestamptz not null, "from_status" text null, "to_status" text not null, "actor_kind" varchar(20) not null, "actor_id" varchar(200) not null, "note" text null, primary key ("id"));`);
    this.addSql(`create index "report_change_comune_index" on "report_change" ("comune");`);
    this.addSql(`create index "report_change_report_id_index" on "report_change" ("report_id");`);

    this.addSql(`alter table "appointment" add constraint "appointment_status_check" check ("status" in ('booked', 'cancelled'));`);
    this.addSql(`alter table "appointment" add constraint "appointment_cancelled_by_check" check ("cancelled_by" in ('citizen', 'staff'));`);

    this.addSql(`alter table "attachment" add constraint "attachment_uploaded_by_check" check ("uploaded_by" in ('citizen', 'staff'));`);

    this.addSql(`alter table "practice" add constraint "practice_status_check" check ("status" in ('draft', 'payment-pending', 'payment-outcome-pending', 'payment-succeeded', 'payment-failed', 'submitted', 'registered', 'taken-in-charge', 'integration-requested', 'integration-answered', 'submitted-after-integration', 'processing', 'accepted', 'rejected', 'withdrawn'));`);

    this.addSql(`alter table "practice_change" add constraint "practice_change_from_status_check" check ("from_status" in ('draft', 'payment-pending', 'payment-outcome-pending', 'payment-succeeded', 'payment-failed', 'submitted', 'registered', 'taken-in-charge', 'integration-requested', 'integration-answered', 'submitted-after-integration', 'processing', 'accepted', 'rejected', 'withdrawn'));`);
    this.addSql(`alter table "practice_change" add constraint "practice_change_to_status_check" check ("to_status" in ('draft', 'payment-pending', 'payment-outcome-pending', 'payment-succeeded', 'payment-failed', 'submitted', 'registered', 'taken-in-charge', 'integration-requested', 'integration-answered', 'submitted-after-integration', 'processing', 'accepted', 'rejected', 'withdrawn'));`);

    this.addSql(`alter table "practice_message" add constraint "practice_message_author_check" check ("author" in ('citizen', 'staff'));`);

    this.addSql(`alter table "report" add constraint "report_status_check" check ("status" in ('received', 'taken-in-charge', 'in-progress', 'resolved', 'rejected'));`);

    this.addSql(`alter table "report_change" add constraint "report_change_from_status_check" check ("from_status" in ('received', 'taken-in-charge', 'in-progress', 'resolved', 'rejected'));`);
    this.addSql(`alter table "report_change" add constraint "report_change_to_status_check" check ("to_status" in ('received', 'taken-in-charge', 'in-progress', 'resolved', 'rejected'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "appointment" cascade;`);
    this.addSql(`drop table if exists "attachment" cascade;`);
    this.addSql(`drop table if exists "attachment_content" cascade;`);
    this.addSql(`drop table if exists "citizen_alias" cascade;`);
    this.addSql(`drop table if exists "inbox_entry" cascade;`);
    this.addSql(`drop table if exists "integration_request" cascade;`);
    this.addSql(`drop table if exists "office_calendar" cascade;`);
    this.addSql(`drop table if exists "outbox_message" cascade;`);
    this.addSql(`drop table if exists "practice" cascade;`);
    this.addSql(`drop table if exists "practice_change" cascade;`);
    this.addSql(`drop table if exists "practice_message" cascade;`);
    this.addSql(`drop table if exists "practice_type" cascade;`);
    this.addSql(`drop table if exists "protocol_counter" cascade;`);
    this.addSql(`drop table if exists "report" cascade;`);
    this.addSql(`drop table if exists "report_change" cascade;`);
  }

}
