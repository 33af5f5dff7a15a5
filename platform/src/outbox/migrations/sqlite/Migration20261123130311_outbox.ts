import { Migration } from '@mikro-orm/migrations';

export class Migration20261123130311_outbox extends Migration {

  override name = 'Migration20261123130311_outbox';

  override up(): void | Promise<void> {
    this.addSql(`create table \`inbox_entry\` (\`consumer\` text not null, \`event_id\` text not null, \`processed_at\` datetime not null, primary key (\`consumer\`, \`event_id\`));`);

    this.addSql(`create table \`outbox_message\` (\`id\` text not null primary key, \`type\` text not null, \`bus_subject\` text not null, \`subject\` text not null, \`payload\` json not null, \`comune\` text not null, \`created_at\` datetime not null, \`published_at\` datetime null, \`attempts\` integer not null default 0, \`last_error\` text null);`);
    this.addSql(`create index \`outbox_message_comune_index\` on \`outbox_message\` (\`comune\`);`);
    this.addSql(`create index \`outbox_message_pending_idx\` on \`outbox_message\` (\`published_at\`, \`created_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`inbox_entry\`;`);
    this.addSql(`drop table if exists \`outbox_message\`;`);
  }

}
