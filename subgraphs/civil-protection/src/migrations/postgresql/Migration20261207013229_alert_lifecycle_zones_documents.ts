import { Migration } from '@sportello/platform';

export class Migration20261207013229_alert_lifecycle_zones_documents extends Migration {

  override name = 'Migration20261207013229_alert_lifecycle_zones_documents';

  override up(): void | Promise<void> {
    this.addSql(`create table "ordinance_document" ("id" uuid not null, "comune" varchar(6) not null, "ordinance_id" uuid not null, "title" varchar(200) not null, "file_name" varchar(255) not null, "media_type" varchar(100) not null, "bytes" int not null, "sha256" varchar(64) not null, "position" int not null, "uploaded_by" varchar(200) not null, "uploaded_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "ordinance_document_comune_index" on "ordinance_document" ("comune");`);
    this.addSql(`create index "ordinance_document_ordinance_id_index" on "ordinance_document" ("ordinance_id");`);
    this.addSql(`alter table "ordinance_document" add constraint "ordinance_document_ordinance_id_sha256_unique" unique ("ordinance_id", "sha256");`);

    this.addSql(`create table "ordinance_document_content" ("id" uuid not null, "comune" varchar(6) not null, "content" bytea not null, primary key ("id"));`);
    this.addSql(`create index "ordinance_document_content_comune_index" on "ordinance_document_content" ("comune");`);

    this.addSql(`alter table "alert" add "announce_expiry" boolean not null default false, add "expiry_announced_at" timestamptz null;`);

    this.addSql(`alter table "alert_zone" add "geometry" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ordinance_document" cascade;`);
    this.addSql(`drop table if exists "ordinance_document_content" cascade;`);

    this.addSql(`alter table "alert" drop column "announce_expiry", drop column "expiry_announced_at";`);

    this.addSql(`alter table "alert_zone" drop column "geometry";`);
  }

}
