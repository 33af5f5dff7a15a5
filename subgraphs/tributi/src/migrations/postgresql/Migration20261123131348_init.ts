import { Migration } from '@sportello/platform';

export class Migration20261123131348_init extends Migration {
  override name = 'Migration20261123131348_init';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "bulk_job" ("id" uuid not null, "comune" varchar(6) not null, "status" text not null, "kind" text not null, "year" int not null, "description" varchar(90) not null, "due_dates" jsonb not null, "items" jsonb not null, "total" int not null, "processed" int not null, "created_by" varchar(200) not null, "created_at" timestamptz(3) not null, "started_at" timestamptz(3) null, "finished_at" timestamptz(3) null, "error" text null, primary key ("id"));`,
    );
    this.addSql(`create index "bulk_job_comune_index" on "bulk_job" ("comune");`);
    this.addSql(`create index "bulk_job_status_index" on "bulk_job" ("status");`);

    this.addSql(
      `create table "creditor" ("id" uuid not null, "comune" varchar(6) not null, "fiscal_code" varchar(11) not null, "name" varchar(200) not null, "segregation_code" varchar(2) not null, "next_iuv_base" bigint not null, primary key ("id"));`,
    );
    this.addSql(`create index "creditor_comune_index" on "creditor" ("comune");`);
    this.addSql(`alter table "creditor" add constraint "creditor_comune_unique" unique ("comune");`);

    this.addSql(
      `create table "inbox_entry" ("consumer" varchar(100) not null, "event_id" uuid not null, "processed_at" timestamptz(3) not null, primary key ("consumer", "event_id"));`,
    );

    this.addSql(
      `create table "instalment" ("id" uuid not null, "comune" varchar(6) not null, "position_id" uuid not null, "number" int null, "amount_cents" bigint not null, "due_date" varchar(10) not null, "notice_number" varchar(18) not null, "status" text not null, "paid_at" timestamptz(3) null, "paid_amount_cents" bigint null, "receipt_id" varchar(100) null, "receipt_from" varchar(200) null, primary key ("id"));`,
    );
    this.addSql(`create index "instalment_comune_index" on "instalment" ("comune");`);
    this.addSql(`create index "instalment_position_id_index" on "instalment" ("position_id");`);
    this.addSql(`create index "instalment_due_idx" on "instalment" ("status", "due_date");`);
    this.addSql(
      `alter table "instalment" add constraint "instalment_notice_unique" unique ("notice_number");`,
    );

    this.addSql(
      `create table "outbox_message" ("id" uuid not null, "type" varchar(100) not null, "bus_subject" varchar(255) not null, "subject" varchar(200) not null, "payload" jsonb not null, "comune" varchar(6) not null, "created_at" timestamptz(3) not null, "published_at" timestamptz(3) null, "attempts" int not null default 0, "last_error" text null, primary key ("id"));`,
    );
    this.addSql(`create index "outbox_message_comune_index" on "outbox_message" ("comune");`);
    this.addSql(
      `create index "outbox_message_pending_idx" on "outbox_message" ("published_at", "created_at");`,
    );

    this.addSql(
      `create table "payment_position" ("id" uuid not null, "comune" varchar(6) not null, "kind" text not null, "year" int not null, "description" varchar(90) not null, "payer_fiscal_code" varchar(16) not null, "creditor_fiscal_code" varchar(11) not null, "amount_cents" bigint not null, "status" text not null, "external_ref" varchar(100) null, "bulk_job_id" uuid null, "fine_plate" varchar(20) null, "fine_place" varchar(200) null, "fine_article" varchar(100) null, "fine_violated_at" timestamptz(3) null, "fine_notified_on" varchar(10) null, "fine_reduced_amount_cents" bigint null, "created_by" varchar(200) not null, "created_at" timestamptz(3) not null, "paid_at" timestamptz(3) null, "cancelled_at" timestamptz(3) null, "cancelled_by" varchar(200) null, "cancellation_reason" varchar(500) null, primary key ("id"));`,
    );
    this.addSql(`create index "payment_position_comune_index" on "payment_position" ("comune");`);
    this.addSql(`create index "payment_position_bulk_job_id_index" on "payment_position" ("bulk_job_id");`);
    this.addSql(
      `create index "payment_position_payer_idx" on "payment_position" ("comune", "payer_fiscal_code");`,
    );
    this.addSql(
      `create index "payment_position_kind_idx" on "payment_position" ("comune", "kind", "year", "status");`,
    );
    this.addSql(
      `alter table "payment_position" add constraint "payment_position_external_ref_unique" unique ("comune", "external_ref");`,
    );

    this.addSql(
      `create table "payment_reminder" ("id" uuid not null, "comune" varchar(6) not null, "instalment_id" uuid not null, "kind" text not null, "offset_days" int not null, "event_id" uuid not null, "sent_at" timestamptz(3) not null, primary key ("id"));`,
    );
    this.addSql(`create index "payment_reminder_comune_index" on "payment_reminder" ("comune");`);
    this.addSql(
      `alter table "payment_reminder" add constraint "payment_reminder_once" unique ("instalment_id", "kind", "offset_days");`,
    );

    this.addSql(
      `alter table "bulk_job" add constraint "bulk_job_status_check" check ("status" in ('queued', 'running', 'completed', 'failed'));`,
    );
    this.addSql(
      `alter table "bulk_job" add constraint "bulk_job_kind_check" check ("kind" in ('IMU', 'TARI', 'TEFA', 'fine', 'secretary-fee', 'school-canteen', 'other'));`,
    );

    this.addSql(
      `alter table "instalment" add constraint "instalment_status_check" check ("status" in ('unpaid', 'paid', 'cancelled'));`,
    );

    this.addSql(
      `alter table "payment_position" add constraint "payment_position_kind_check" check ("kind" in ('IMU', 'TARI', 'TEFA', 'fine', 'secretary-fee', 'school-canteen', 'other'));`,
    );
    this.addSql(
      `alter table "payment_position" add constraint "payment_position_status_check" check ("status" in ('to-pay', 'paid', 'expired', 'cancelled'));`,
    );

    this.addSql(
      `alter table "payment_reminder" add constraint "payment_reminder_kind_check" check ("kind" in ('due-soon', 'overdue'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "bulk_job" cascade;`);
    this.addSql(`drop table if exists "creditor" cascade;`);
    this.addSql(`drop table if exists "inbox_entry" cascade;`);
    this.addSql(`drop table if exists "instalment" cascade;`);
    this.addSql(`drop table if exists "outbox_message" cascade;`);
    this.addSql(`drop table if exists "payment_position" cascade;`);
    this.addSql(`drop table if exists "payment_reminder" cascade;`);
  }
}
