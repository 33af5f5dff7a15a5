import { Migration } from '@mikro-orm/migrations';

export class Migration20261123130311_outbox extends Migration {

  override name = 'Migration20261123130311_outbox';

  override up(): void | Promise<void> {
    this.addSql(`create table "inbox_entry" ("consumer" varchar(100) not null, "event_id" uuid not null, "processed_at" timestamptz(3) not null, primary key ("consumer", "event_id"));`);

    this.addSql(`create table "outbox_message" ("id" uuid not null, "type" varchar(100) not null, "bus_subject" varchar(255) not null, "subject" varchar(200) not null, "payload" jsonb not null, "comune" varchar(6) not null, "created_at" timestamptz(3) not null, "published_at" timestamptz(3) null, "attempts" int not null default 0, "last_error" text null, primary key ("id"));`);
    this.addSql(`create index "outbox_message_comune_index" on "outbox_message" ("comune");`);
    this.addSql(`create index "outbox_message_pending_idx" on "outbox_message" ("published_at", "created_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "inbox_entry" cascade;`);
    this.addSql(`drop table if exists "outbox_message" cascade;`);
  }

}
