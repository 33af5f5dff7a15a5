import { Migration } from '@sportello/platform';

export class Migration20261207013229_alert_lifecycle_zones_documents extends Migration {

  override name = 'Migration20261207013229_alert_lifecycle_zones_documents';

  override up(): void | Promise<void> {
    this.addSql(`create table \`ordinance_document\` (\`id\` text not null primary key, \`comune\` text not null, \`ordinance_id\` text not null, \`title\` text not null, \`file_name\` text not null, \`media_type\` text not null, \`bytes\` integer not null, \`sha256\` text not null, \`position\` integer not null, \`uploaded_by\` text not null, \`uploaded_at\` datetime not null);`);
    this.addSql(`create index \`ordinance_document_comune_index\` on \`ordinance_document\` (\`comune\`);`);
    this.addSql(`create index \`ordinance_document_ordinance_id_index\` on \`ordinance_document\` (\`ordinance_id\`);`);
    this.addSql(`create unique index \`ordinance_document_ordinance_id_sha256_unique\` on \`ordinance_document\` (\`ordinance_id\`, \`sha256\`);`);

    this.addSql(`create table \`ordinance_document_content\` (\`id\` text not null primary key, \`comune\` text not null, \`content\` blob not null);`);
    this.addSql(`create index \`ordinance_document_content_comune_index\` on \`ordinance_document_content\` (\`comune\`);`);

    this.addSql(`alter table \`alert\` add column \`announce_expiry\` integer not null default false;`);
    this.addSql(`alter table \`alert\` add column \`expiry_announced_at\` datetime null;`);

    this.addSql(`alter table \`alert_zone\` add column \`geometry\` json null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`ordinance_document\`;`);
    this.addSql(`drop table if exists \`ordinance_document_content\`;`);

    this.addSql(`alter table \`alert\` drop column \`announce_expiry\`;`);
    this.addSql(`alter table \`alert\` drop column \`expiry_announced_at\`;`);

    this.addSql(`alter table \`alert_zone\` drop column \`geometry\`;`);
  }

}
