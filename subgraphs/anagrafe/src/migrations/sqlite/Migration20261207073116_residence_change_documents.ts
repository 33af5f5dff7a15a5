import { Migration } from '@sportello/platform';

export class Migration20261207073116_residence_change_documents extends Migration {

  override name = 'Migration20261207073116_residence_change_documents';

  override up(): void | Promise<void> {
    this.addSql(`create table \`residence_change_document\` (\`id\` text not null primary key, \`comune\` text not null, \`residence_change_id\` text not null, \`filename\` text not null, \`mime_type\` text not null, \`size\` integer not null, \`sha256\` text not null, \`uploader_fiscal_code\` text not null, \`uploaded_at\` datetime not null, \`reply_at\` text null);`);
    this.addSql(`create index \`residence_change_document_comune_index\` on \`residence_change_document\` (\`comune\`);`);
    this.addSql(`create index \`residence_change_document_residence_change_id_index\` on \`residence_change_document\` (\`residence_change_id\`);`);

    this.addSql(`create table \`residence_change_document_content\` (\`id\` text not null primary key, \`comune\` text not null, \`content\` blob not null);`);
    this.addSql(`create index \`residence_change_document_content_comune_index\` on \`residence_change_document_content\` (\`comune\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`residence_change_document\`;`);
    this.addSql(`drop table if exists \`residence_change_document_content\`;`);
  }

}
