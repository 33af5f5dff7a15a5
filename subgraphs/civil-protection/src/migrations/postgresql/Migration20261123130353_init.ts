import { Migration } from '@sportello/platform';

export class Migration20261123130353_init extends Migration {

  override name = 'Migration20261123130353_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "alert" ("id" uuid not null, "comune" varchar(6) not null, "hazard" text not null, "colour" text not null, "whole_comune" boolean not null, "zone_codes" jsonb not null, "valid_from" timestamptz not null, "valid_until" timestamptz not null, "phase" text null, "headline" varchar(160) null, "instructions" text not null, "bulletin_reference" varchar(200) null, "status" text not null, "message_times" jsonb not null, "issued_by" varchar(200) not null, "issued_at" timestamptz not null, "updated_at" timestamptz not null, "cancelled_at" timestamptz null, "cancel_reason" text null, primary key ("id"));`);
    this.addSql(`create index "alert_comune_index" on "alert" ("comune");`);
    this.addSql(`create index "alert_valid_until_index" on "alert" ("valid_until");`);
    this.addSql(`create index "alert_status_index" on "alert" ("status");`);

    this.addSql(`create table "alert_zone" ("id" uuid not null, "comune" varchar(6) not null, "code" varchar(50) not null, "name" varchar(200) not null, "regional_alert_zone" varchar(50) null, "description" text null, primary key ("id"));`);
    this.addSql(`create index "alert_zone_comune_index" on "alert_zone" ("comune");`);
    this.addSql(`alter table "alert_zone" add constraint "alert_zone_comune_code_unique" unique ("comune", "code");`);

    this.addSql(`create table "emergency_area" ("id" uuid not null, "comune" varchar(6) not null, "code" varchar(50) not null, "name" varchar(200) not null, "kind" text not null, "latitude" double precision not null, "longitude" double precision not null, "capacity" int null, "address" varchar(300) null, "zone_code" varchar(50) null, primary key ("id"));`);
    this.addSql(`create index "emergency_area_comune_index" on "emergency_area" ("comune");`);
    this.addSql(`create index "emergency_area_kind_index" on "emergency_area" ("kind");`);
    this.addSql(`alter table "emergency_area" add constraint "emergency_area_comune_code_unique" unique ("comune", "code");`);

    this.addSql(`create table "emergency_number" ("id" uuid not null, "comune" varchar(6) not null, "number" varchar(30) not null, "label" varchar(200) not null, "position" int not null, primary key ("id"));`);
    this.addSql(`create index "emergency_number_comune_index" on "emergency_number" ("comune");`);

    this.addSql(`create table "inbox_entry" ("consumer" varchar(100) not null, "event_id" uuid not null, "processed_at" timestamptz(3) not null, primary key ("consumer", "event_id"));`);

    this.addSql(`create table "ordinance" ("id" uuid not null, "comune" varchar(6) not null, "status" text not null, "number" int null, "year" int null, "protocol_number" varchar(50) null, "adopted_on" varchar(10) null, "subject" varchar(300) not null, "legal_basis" text not null, "reasons" text not null, "measures" jsonb not null, "effective_from" timestamptz not null, "effective_until" timestamptz null, "scope_kind" text not null, "zone_codes" jsonb not null, "streets" jsonb not null, "alert_id" uuid null, "corrects_id" uuid null, "enforcing_body" varchar(200) not null, "appeal_clause" text not null, "addressees" text null, "published_at" timestamptz null, "created_by" varchar(200) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "ordinance_comune_index" on "ordinance" ("comune");`);
    this.addSql(`create index "ordinance_status_index" on "ordinance" ("status");`);
    this.addSql(`create index "ordinance_corrects_id_index" on "ordinance" ("corrects_id");`);
    this.addSql(`alter table "ordinance" add constraint "ordinance_comune_year_number_unique" unique ("comune", "year", "number");`);

    this.addSql(`create table "outbox_message" ("id" uuid not null, "type" varchar(100) not null, "bus_subject" varchar(255) not null, "subject" varchar(200) not null, "payload" jsonb not null, "comune" varchar(6) not null, "created_at" timestamptz(3) not null, "published_at" timestamptz(3) null, "attempts" int not null default 0, "last_error" text null, primary key ("id"));`);
    this.addSql(`create index "outbox_message_comune_index" on "outbox_message" ("comune");`);
    this.addSql(`create index "outbox_message_pending_idx" on "outbox_message" ("published_at", "created_at");`);

    this.addSql(`alter table "alert" add constraint "alert_hazard_check" check ("hazard" in ('hydrogeological', 'hydraulic', 'thunderstorms', 'wind', 'snow', 'ice', 'storm-surge', 'avalanches', 'coastal'));`);
    this.addSql(`alter table "alert" add constraint "alert_colour_check" check ("colour" in ('green', 'yellow', 'orange', 'red'));`);
    this.addSql(`alter table "alert" add constraint "alert_phase_check" check ("phase" in ('attention', 'pre-alarm', 'alarm'));`);
    this.addSql(`alter table "alert" add constraint "alert_status_check" check ("status" in ('active', 'cancelled'));`);

    this.addSql(`alter table "emergency_area" add constraint "emergency_area_kind_check" check ("kind" in ('waiting', 'assistance', 'staging', 'landing'));`);

    this.addSql(`alter table "ordinance" add constraint "ordinance_status_check" check ("status" in ('draft', 'published'));`);
    this.addSql(`alter table "ordinance" add constraint "ordinance_legal_basis_check" check ("legal_basis" in ('tuel-art-50-c5', 'tuel-art-54-c4'));`);
    this.addSql(`alter table "ordinance" add constraint "ordinance_scope_kind_check" check ("scope_kind" in ('whole-comune', 'zones', 'streets'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "alert" cascade;`);
    this.addSql(`drop table if exists "alert_zone" cascade;`);
    this.addSql(`drop table if exists "emergency_area" cascade;`);
    this.addSql(`drop table if exists "emergency_number" cascade;`);
    this.addSql(`drop table if exists "inbox_entry" cascade;`);
    this.addSql(`drop table if exists "ordinance" cascade;`);
    this.addSql(`drop table if exists "outbox_message" cascade;`);
  }

}
