import { Migration } from '@sportello/platform';

export class Migration20261207073116_residence_change_documents extends Migration {

  override name = 'Migration20261207073116_residence_change_documents';

  override up(): void | Promise<void> {
    this.addSql(`create table "residence_change_document" ("id" uuid not null, "comune" varchar(6) not null, "residence_change_id" uuid not null, "filename" varchar(255) not null, "mime_type" varchar(100) not null, "size" int not null, "sha256" varchar(64) not null, "uploader_fiscal_code" varchar(16) not null, "uploaded_at" timestamptz not null, "reply_at" varchar(30) null, primary key ("id"));`);
    this.addSql(`create index "residence_change_document_comune_index" on "residence_change_document" ("comune");`);
    this.addSql(`create index "residence_change_document_residence_change_id_index" on "residence_change_document" ("residence_change_id");`);

    this.addSql(`create table "residence_change_document_content" ("id" uuid not null, "comune" varchar(6) not null, "content" bytea not null, primary key ("id"));`);
    this.addSql(`create index "residence_change_document_content_comune_index" on "residence_change_document_content" ("comune");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "residence_change_document" cascade;`);
    this.addSql(`drop table if exists "residence_change_document_content" cascade;`);
  }

}
