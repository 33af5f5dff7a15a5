import { Migration } from '@sportello/platform';

export class Migration20261123130126_init extends Migration {

  override name = 'Migration20261123130126_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "api_client" ("id" uuid not null, "comune" varchar(6) not null, "client_id" varchar(255) not null, "name" varchar(255) not null, "secret_hash" varchar(255) null, "scopes" jsonb not null, "redirect_uris" jsonb not null, "rate_limit_per_minute" int not null, "first_party" boolean not null default false, "created_at" timestamptz not null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "api_client_comune_index" on "api_client" ("comune");`);
    this.addSql(`alter table "api_client" add constraint "api_client_client_id_unique" unique ("client_id");`);

    this.addSql(`create table "audit_entry" ("id" uuid not null, "comune" varchar(6) not null, "at" timestamptz not null, "actor_username" varchar(255) not null, "actor_offices" jsonb not null, "subject_fiscal_code" varchar(16) not null, "fields" jsonb not null, "operation" varchar(255) null, primary key ("id"));`);
    this.addSql(`create index "audit_entry_comune_index" on "audit_entry" ("comune");`);
    this.addSql(`create index "audit_entry_at_index" on "audit_entry" ("at");`);
    this.addSql(`create index "audit_entry_actor_username_index" on "audit_entry" ("actor_username");`);
    this.addSql(`create index "audit_entry_subject_fiscal_code_index" on "audit_entry" ("subject_fiscal_code");`);

    this.addSql(`create table "authorization_code" ("id" uuid not null, "comune" varchar(6) not null, "code_digest" varchar(255) not null, "client_id" varchar(255) not null, "redirect_uri" text not null, "code_challenge" varchar(255) not null, "scopes" jsonb not null, "fiscal_code" varchar(16) not null, "nonce" varchar(255) null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "authorization_code_comune_index" on "authorization_code" ("comune");`);
    this.addSql(`alter table "authorization_code" add constraint "authorization_code_code_digest_unique" unique ("code_digest");`);

    this.addSql(`create table "citizen" ("id" uuid not null, "comune" varchar(6) not null, "fiscal_code" varchar(16) not null, "given_name" varchar(255) not null, "family_name" varchar(255) not null, "email" varchar(255) null, "email_verified_at" timestamptz null, "telegram_chat_id" varchar(255) null, "telegram_linked_at" timestamptz null, "io_enabled" boolean not null default false, "preferred_language" text not null default 'it', "preferences" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "citizen_comune_index" on "citizen" ("comune");`);
    this.addSql(`alter table "citizen" add constraint "citizen_comune_fiscal_code_unique" unique ("comune", "fiscal_code");`);

    this.addSql(`create table "consent_grant" ("id" uuid not null, "comune" varchar(6) not null, "fiscal_code" varchar(16) not null, "client_id" varchar(255) not null, "scopes" jsonb not null, "granted_at" timestamptz not null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "consent_grant_comune_index" on "consent_grant" ("comune");`);
    this.addSql(`alter table "consent_grant" add constraint "consent_grant_comune_fiscal_code_client_id_unique" unique ("comune", "fiscal_code", "client_id");`);

    this.addSql(`create table "delegation" ("id" uuid not null, "comune" varchar(6) not null, "delegate_fiscal_code" varchar(16) not null, "delegator_fiscal_code" varchar(16) not null, "kind" text not null, "valid_from" timestamptz not null, "valid_until" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "delegation_comune_index" on "delegation" ("comune");`);
    this.addSql(`create index "delegation_delegate_fiscal_code_index" on "delegation" ("delegate_fiscal_code");`);
    this.addSql(`create index "delegation_delegator_fiscal_code_index" on "delegation" ("delegator_fiscal_code");`);

    this.addSql(`create table "email_verification" ("id" uuid not null, "comune" varchar(6) not null, "fiscal_code" varchar(16) not null, "email" varchar(255) not null, "token_digest" varchar(255) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "email_verification_comune_index" on "email_verification" ("comune");`);
    this.addSql(`create index "email_verification_fiscal_code_index" on "email_verification" ("fiscal_code");`);
    this.addSql(`alter table "email_verification" add constraint "email_verification_token_digest_unique" unique ("token_digest");`);

    this.addSql(`create table "inbox_entry" ("consumer" varchar(100) not null, "event_id" uuid not null, "processed_at" timestamptz(3) not null, primary key ("consumer", "event_id"));`);

    this.addSql(`create table "outbox_message" ("id" uuid not null, "type" varchar(100) not null, "bus_subject" varchar(255) not null, "subject" varchar(200) not null, "payload" jsonb not null, "comune" varchar(6) not null, "created_at" timestamptz(3) not null, "published_at" timestamptz(3) null, "attempts" int not null default 0, "last_error" text null, primary key ("id"));`);
    this.addSql(`create index "outbox_message_comune_index" on "outbox_message" ("comune");`);
    this.addSql(`create index "outbox_message_pending_idx" on "outbox_message" ("published_at", "created_at");`);

    this.addSql(`create table "pending_authorization" ("id" varchar(255) not null, "comune" varchar(6) not null, "request" jsonb not null, "upstream_verifier" varchar(255) null, "upstream_nonce" varchar(255) null, "fiscal_code" varchar(16) null, "expires_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "pending_authorization_comune_index" on "pending_authorization" ("comune");`);

    this.addSql(`create table "signing_key" ("kid" varchar(255) not null, "public_jwk" jsonb not null, "private_jwk" jsonb not null, "created_at" timestamptz not null, "retired_at" timestamptz null, primary key ("kid"));`);

    this.addSql(`create table "staff_member" ("id" uuid not null, "comune" varchar(6) not null, "username" varchar(255) not null, "display_name" varchar(255) not null, "offices" jsonb not null, "disabled_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "staff_member_comune_index" on "staff_member" ("comune");`);
    this.addSql(`alter table "staff_member" add constraint "staff_member_comune_username_unique" unique ("comune", "username");`);

    this.addSql(`create table "telegram_link_token" ("id" uuid not null, "comune" varchar(6) not null, "fiscal_code" varchar(16) not null, "token_digest" varchar(255) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "telegram_link_token_comune_index" on "telegram_link_token" ("comune");`);
    this.addSql(`create index "telegram_link_token_fiscal_code_index" on "telegram_link_token" ("fiscal_code");`);
    this.addSql(`alter table "telegram_link_token" add constraint "telegram_link_token_token_digest_unique" unique ("token_digest");`);

    this.addSql(`alter table "citizen" add constraint "citizen_preferred_language_check" check ("preferred_language" in ('it', 'en', 'de'));`);

    this.addSql(`alter table "delegation" add constraint "delegation_kind_check" check ("kind" in ('minor-child', 'delegating-adult'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "api_client" cascade;`);
    this.addSql(`drop table if exists "audit_entry" cascade;`);
    this.addSql(`drop table if exists "authorization_code" cascade;`);
    this.addSql(`drop table if exists "citizen" cascade;`);
    this.addSql(`drop table if exists "consent_grant" cascade;`);
    this.addSql(`drop table if exists "delegation" cascade;`);
    this.addSql(`drop table if exists "email_verification" cascade;`);
    this.addSql(`drop table if exists "inbox_entry" cascade;`);
    this.addSql(`drop table if exists "outbox_message" cascade;`);
    this.addSql(`drop table if exists "pending_authorization" cascade;`);
    this.addSql(`drop table if exists "signing_key" cascade;`);
    this.addSql(`drop table if exists "staff_member" cascade;`);
    this.addSql(`drop table if exists "telegram_link_token" cascade;`);
  }

}
