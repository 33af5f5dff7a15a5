import { Migration } from '@sportello/platform';

export class Migration20261123131536_init extends Migration {

  override name = 'Migration20261123131536_init';

  override up(): void | Promise<void> {
    this.addSql(`create table \`delivery\` (\`id\` text not null primary key, \`comune\` text not null, \`event_id\` text not null, \`event_type\` text not null, \`recipient_key\` text not null, \`fiscal_code\` text null, \`channel\` text not null, \`address\` text not null, \`language\` text not null, \`priority\` integer not null default 0, \`status\` text not null, \`attempts\` integer not null default 0, \`next_attempt_at\` bigint not null, \`lease_owner\` text null, \`lease_until\` bigint null, \`provider_message_id\` text null, \`last_error\` text null, \`created_at\` bigint not null, \`updated_at\` bigint not null, \`sent_at\` bigint null);`);
    this.addSql(`create index \`delivery_comune_index\` on \`delivery\` (\`comune\`);`);
    this.addSql(`create index \`delivery_event_id_index\` on \`delivery\` (\`event_id\`);`);
    this.addSql(`create index \`delivery_fiscal_code_index\` on \`delivery\` (\`fiscal_code\`);`);
    this.addSql(`create index \`delivery_due_index\` on \`delivery\` (\`status\`, \`channel\`, \`next_attempt_at\`);`);
    this.addSql(`create unique index \`delivery_event_recipient_channel_unique\` on \`delivery\` (\`event_id\`, \`recipient_key\`, \`channel\`);`);

    this.addSql(`create table \`delivery_attempt\` (\`id\` text not null primary key, \`comune\` text not null, \`delivery_id\` text not null, \`attempt\` integer not null, \`started_at\` bigint not null, \`finished_at\` bigint null, \`outcome\` text null, \`reason\` text null);`);
    this.addSql(`create index \`delivery_attempt_comune_index\` on \`delivery_attempt\` (\`comune\`);`);
    this.addSql(`create index \`delivery_attempt_delivery_id_index\` on \`delivery_attempt\` (\`delivery_id\`);`);

    this.addSql(`create table \`inbox_entry\` (\`consumer\` text not null, \`event_id\` text not null, \`processed_at\` datetime not null, primary key (\`consumer\`, \`event_id\`));`);

    this.addSql(`create table \`notification\` (\`event_id\` text not null primary key, \`comune\` text not null, \`event_type\` text not null, \`category\` text not null, \`critical\` integer not null, \`messages\` json not null, \`payment\` json null, \`due_date\` text null, \`occurred_at\` bigint not null, \`created_at\` bigint not null, \`planned_at\` bigint null);`);
    this.addSql(`create index \`notification_comune_index\` on \`notification\` (\`comune\`);`);
    this.addSql(`create index \`notification_created_at_index\` on \`notification\` (\`created_at\`);`);

    this.addSql(`create table \`outbox_message\` (\`id\` text not null primary key, \`type\` text not null, \`bus_subject\` text not null, \`subject\` text not null, \`payload\` json not null, \`comune\` text not null, \`created_at\` datetime not null, \`published_at\` datetime null, \`attempts\` integer not null default 0, \`last_error\` text null);`);
    this.addSql(`create index \`outbox_message_comune_index\` on \`outbox_message\` (\`comune\`);`);
    this.addSql(`create index \`outbox_message_pending_idx\` on \`outbox_message\` (\`published_at\`, \`created_at\`);`);

    this.addSql(`create table \`telegram_chat\` (\`chat_id\` text not null primary key, \`comune\` text not null, \`fiscal_code\` text not null, \`linked_at\` bigint not null);`);
    this.addSql(`create index \`telegram_chat_comune_index\` on \`telegram_chat\` (\`comune\`);`);
    this.addSql(`create index \`telegram_chat_fiscal_code_index\` on \`telegram_chat\` (\`fiscal_code\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`delivery\`;`);
    this.addSql(`drop table if exists \`delivery_attempt\`;`);
    this.addSql(`drop table if exists \`inbox_entry\`;`);
    this.addSql(`drop table if exists \`notification\`;`);
    this.addSql(`drop table if exists \`outbox_message\`;`);
    this.addSql(`drop table if exists \`telegram_chat\`;`);
  }

}
