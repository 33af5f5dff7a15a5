import { Migration } from '@sportello/platform';

export class Migration20261123131536_init extends Migration {

  override name = 'Migration20261123131536_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "delivery" ("id" uuid not null, "comune" varchar(6) not null, "event_id" uuid not null, "event_type" varchar(100) not null, "recipient_key" varchar(64) not null, "fiscal_code" varchar(16) null, "channel" varchar(16) not null, "address" varchar(320) not null, "language" varchar(2) not null, "priority" int not null default 0, "status" varchar(16) not null, "attempts" int not null default 0, "next_attempt_at" bigint not null, "lease_owner" varchar(64) null, "lease_until" bigint null, "provider_message_id" varchar(200) null, "last_error" varchar(500) null, "created_at" bigint not null, "updated_at" bigint not null, "sent_at" bigint null, primary key ("id"));`);
    this.addSql(`create index "delivery_comune_index" on "delivery" ("comune");`);
    this.addSql(`create index "delivery_event_id_index" on "delivery" ("event_id");`);
    this.addSql(`create index "delivery_fiscal_code_index" on "delivery" ("fiscal_code");`);
    this.addSql(`create index "delivery_due_index" on "delivery" ("status", "channel", "next_attempt_at");`);
    this.addSql(`alter table "delivery" add constraint "delivery_event_recipient_channel_unique" unique ("event_id", "recipient_key", "channel");`);

    this.addSql(`create table "delivery_attempt" ("id" uuid not null, "comune" varchar(6) not null, "delivery_id" uuid not null, "attempt" int not null, "started_at" bigint not null, "finished_at" bigint null, "outcome" varchar(16) null, "reason" varchar(500) null, primary key ("id"));`);
    this.addSql(`create index "delivery_attempt_comune_index" on "delivery_attempt" ("comune");`);
    this.addSql(`create index "delivery_attempt_delivery_id_index" on "delivery_attempt" ("delivery_id");`);

    this.addSql(`create table "inbox_entry" ("consumer" varchar(100) not null, "event_id" uuid not null, "processed_at" timestamptz(3) not null, primary key ("consumer", "event_id"));`);

    this.addSql(`create table "notification" ("event_id" uuid not null, "comune" varchar(6) not null, "event_type" varchar(100) not null, "category" varchar(40) not null, "critical" boolean not null, "messages" jsonb not null, "payment" jsonb null, "due_date" varchar(10) null, "occurred_at" bigint not null, "created_at" bigint not null, "planned_at" bigint null, primary key ("event_id"));`);
    this.addSql(`create index "notification_comune_index" on "notification" ("comune");`);
    this.addSql(`create index "notification_created_at_index" on "notification" ("created_at");`);

    this.addSql(`create table "outbox_message" ("id" uuid not null, "type" varchar(100) not null, "bus_subject" varchar(255) not null, "subject" varchar(200) not null, "payload" jsonb not null, "comune" varchar(6) not null, "created_at" timestamptz(3) not null, "published_at" timestamptz(3) null, "attempts" int not null default 0, "last_error" text null, primary key ("id"));`);
    this.addSql(`create index "outbox_message_comune_index" on "outbox_message" ("comune");`);
    this.addSql(`create index "outbox_message_pending_idx" on "outbox_message" ("published_at", "created_at");`);

    this.addSql(`create table "telegram_chat" ("chat_id" varchar(32) not null, "comune" varchar(6) not null, "fiscal_code" varchar(16) not null, "linked_at" bigint not null, primary key ("chat_id"));`);
    this.addSql(`create index "telegram_chat_comune_index" on "telegram_chat" ("comune");`);
    this.addSql(`create index "telegram_chat_fiscal_code_index" on "telegram_chat" ("fiscal_code");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "delivery" cascade;`);
    this.addSql(`drop table if exists "delivery_attempt" cascade;`);
    this.addSql(`drop table if exists "inbox_entry" cascade;`);
    this.addSql(`drop table if exists "notification" cascade;`);
    this.addSql(`drop table if exists "outbox_message" cascade;`);
    this.addSql(`drop table if exists "telegram_chat" cascade;`);
  }

}
