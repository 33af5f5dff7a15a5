import { Migration } from '@sportello/platform';

export class Migration20261123132057_init extends Migration {

  override name = 'Migration20261123132057_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "certificate" ("id" uuid not null, "comune" varchar(6) not null, "verification_code" varchar(20) not null, "requester_fiscal_code" varchar(16) not null, "holder_fiscal_code" varchar(16) not null, "holder_name" varchar(210) not null, "kinds" jsonb not null, "use" varchar(200) not null, "stamp_duty" text not null, "stamp_duty_text" varchar(300) not null, "issued_at" timestamptz not null, "issued_on" varchar(10) not null, "valid_until" varchar(10) null, "content" jsonb not null, primary key ("id"));`);
    this.addSql(`create index "certificate_comune_index" on "certificate" ("comune");`);
    this.addSql(`alter table "certificate" add constraint "certificate_verification_code_unique" unique ("verification_code");`);
    this.addSql(`create index "certificate_comune_holder_fiscal_code_index" on "certificate" ("comune", "holder_fiscal_code");`);
    this.addSql(`create index "certificate_comune_requester_fiscal_code_index" on "certificate" ("comune", "requester_fiscal_code");`);

    this.addSql(`create table "document_reminder" ("id" uuid not null, "comune" varchar(6) not null, "document_id" uuid not null, "kind" text not null, "offset_days" int not null, "event_id" varchar(40) not null, "sent_on" varchar(10) not null, primary key ("id"));`);
    this.addSql(`create index "document_reminder_comune_index" on "document_reminder" ("comune");`);
    this.addSql(`alter table "document_reminder" add constraint "document_reminder_document_id_kind_offset_days_unique" unique ("document_id", "kind", "offset_days");`);

    this.addSql(`create table "identity_document" ("id" uuid not null, "comune" varchar(6) not null, "holder_fiscal_code" varchar(16) not null, "kind" text not null, "number" varchar(20) not null, "issued_on" varchar(10) not null, "printed_expires_on" varchar(10) not null, "expires_on" varchar(10) not null, "replaced_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "identity_document_comune_index" on "identity_document" ("comune");`);
    this.addSql(`create index "identity_document_comune_holder_fiscal_code_index" on "identity_document" ("comune", "holder_fiscal_code");`);
    this.addSql(`create index "identity_document_expires_on_index" on "identity_document" ("expires_on");`);
    this.addSql(`alter table "identity_document" add constraint "identity_document_comune_kind_number_unique" unique ("comune", "kind", "number");`);

    this.addSql(`create table "inbox_entry" ("consumer" varchar(100) not null, "event_id" uuid not null, "processed_at" timestamptz(3) not null, primary key ("consumer", "event_id"));`);

    this.addSql(`create table "outbox_message" ("id" uuid not null, "type" varchar(100) not null, "bus_subject" varchar(255) not null, "subject" varchar(200) not null, "payload" jsonb not null, "comune" varchar(6) not null, "created_at" timestamptz(3) not null, "published_at" timestamptz(3) null, "attempts" int not null default 0, "last_error" text null, primary key ("id"));`);
    this.addSql(`create index "outbox_message_comune_index" on "outbox_message" ("comune");`);
    this.addSql(`create index "outbox_message_pending_idx" on "outbox_message" ("published_at", "created_at");`);

    this.addSql(`create table "residence_change" ("id" uuid not null, "comune" varchar(6) not null, "applicant_fiscal_code" varchar(16) not null, "movers" jsonb not null, "mover_codes" varchar(400) not null, "street" varchar(150) not null, "street_number" varchar(20) not null, "postcode" varchar(5) not null, "zone" varchar(50) null, "status" text not null, "declared_on" varchar(10) not null, "registered_on" varchar(10) null, "obstacles_notified_on" varchar(10) null, "decided_on" varchar(10) null, "history" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "residence_change_comune_index" on "residence_change" ("comune");`);
    this.addSql(`create index "residence_change_comune_applicant_fiscal_code_index" on "residence_change" ("comune", "applicant_fiscal_code");`);
    this.addSql(`create index "residence_change_status_declared_on_index" on "residence_change" ("status", "declared_on");`);

    this.addSql(`create table "resident" ("id" uuid not null, "comune" varchar(6) not null, "fiscal_code" varchar(16) not null, "given_name" varchar(100) not null, "family_name" varchar(100) not null, "search_text" varchar(400) not null, "sex" text not null, "birth_date" varchar(10) not null, "birth_place_code" varchar(4) not null, "birth_place_name" varchar(100) not null, "citizenship" varchar(2) not null, "civil_status" text not null, "street" varchar(150) not null, "street_number" varchar(20) not null, "postcode" varchar(5) not null, "zone" varchar(50) null, "family_code" varchar(40) not null, "relationship" text not null, "resident_since" varchar(10) not null, "polling_station" varchar(150) null, "electoral_section" int null, "electoral_card_number" varchar(20) null, "registered_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "resident_comune_index" on "resident" ("comune");`);
    this.addSql(`create index "resident_comune_zone_fiscal_code_index" on "resident" ("comune", "zone", "fiscal_code");`);
    this.addSql(`create index "resident_comune_family_code_index" on "resident" ("comune", "family_code");`);
    this.addSql(`create index "resident_comune_search_text_index" on "resident" ("comune", "search_text");`);
    this.addSql(`create index "resident_comune_street_index" on "resident" ("comune", "street");`);
    this.addSql(`alter table "resident" add constraint "resident_comune_fiscal_code_unique" unique ("comune", "fiscal_code");`);

    this.addSql(`create table "street" ("id" uuid not null, "comune" varchar(6) not null, "name" varchar(150) not null, "postcode" varchar(5) not null, "zone" varchar(50) null, primary key ("id"));`);
    this.addSql(`create index "street_comune_index" on "street" ("comune");`);
    this.addSql(`alter table "street" add constraint "street_comune_name_unique" unique ("comune", "name");`);

    this.addSql(`alter table "certificate" add constraint "certificate_stamp_duty_check" check ("stamp_duty" in ('paid', 'exempt'));`);

    this.addSql(`alter table "document_reminder" add constraint "document_reminder_kind_check" check ("kind" in ('expiring', 'expired'));`);

    this.addSql(`alter table "identity_document" add constraint "identity_document_kind_check" check ("kind" in ('CIE', 'paper'));`);

    this.addSql(`alter table "residence_change" add constraint "residence_change_status_check" check ("status" in ('declared', 'registered', 'obstacles-notified', 'accepted', 'rejected', 'withdrawn'));`);

    this.addSql(`alter table "resident" add constraint "resident_sex_check" check ("sex" in ('F', 'M'));`);
    this.addSql(`alter table "resident" add constraint "resident_civil_status_check" check ("civil_status" in ('single', 'married', 'civil-union', 'widowed', 'divorced', 'separated'));`);
    this.addSql(`alter table "resident" add constraint "resident_relationship_check" check ("relationship" in ('head', 'spouse', 'child', 'parent', 'cohabitant'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "certificate" cascade;`);
    this.addSql(`drop table if exists "document_reminder" cascade;`);
    this.addSql(`drop table if exists "identity_document" cascade;`);
    this.addSql(`drop table if exists "inbox_entry" cascade;`);
    this.addSql(`drop table if exists "outbox_message" cascade;`);
    this.addSql(`drop table if exists "residence_change" cascade;`);
    this.addSql(`drop table if exists "resident" cascade;`);
    this.addSql(`drop table if exists "street" cascade;`);
  }

}
