import { Migration } from '@sportello/platform';

export class Migration20261123130126_init extends Migration {

  override name = 'Migration20261123130126_init';

  override up(): void | Promise<void> {
    this.addSql(`create table \`api_client\` (\`id\` text not null primary key, \`comune\` text not null, \`client_id\` text not null, \`name\` text not null, \`secret_hash\` text null, \`scopes\` json not null, \`redirect_uris\` json not null, \`rate_limit_per_minute\` integer not null, \`first_party\` integer not null default false, \`created_at\` datetime not null, \`revoked_at\` datetime null);`);
    this.addSql(`create index \`api_client_comune_index\` on \`api_client\` (\`comune\`);`);
    this.addSql(`create unique index \`api_client_client_id_unique\` on \`api_client\` (\`client_id\`);`);

    this.addSql(`create table \`audit_entry\` (\`id\` text not null primary key, \`comune\` text not null, \`at\` datetime not null, \`actor_username\` text not null, \`actor_offices\` json not null, \`subject_fiscal_code\` text not null, \`fields\` json not null, \`operation\` text null);`);
    this.addSql(`create index \`audit_entry_comune_index\` on \`audit_entry\` (\`comune\`);`);
    this.addSql(`create index \`audit_entry_at_index\` on \`audit_entry\` (\`at\`);`);
    this.addSql(`create index \`audit_entry_actor_username_index\` on \`audit_entry\` (\`actor_username\`);`);
    this.addSql(`create index \`audit_entry_subject_fiscal_code_index\` on \`audit_entry\` (\`subject_fiscal_code\`);`);

    this.addSql(`create table \`authorization_code\` (\`id\` text not null primary key, \`comune\` text not null, \`code_digest\` text not null, \`client_id\` text not null, \`redirect_uri\` text not null, \`code_challenge\` text not null, \`scopes\` json not null, \`fiscal_code\` text not null, \`nonce\` text null, \`expires_at\` datetime not null, \`used_at\` datetime null);`);
    this.addSql(`create index \`authorization_code_comune_index\` on \`authorization_code\` (\`comune\`);`);
    this.addSql(`create unique index \`authorization_code_code_digest_unique\` on \`authorization_code\` (\`code_digest\`);`);

    this.addSql(`create table \`citizen\` (\`id\` text not null primary key, \`comune\` text not null, \`fiscal_code\` text not null, \`given_name\` text not null, \`family_name\` text not null, \`email\` text null, \`email_verified_at\` datetime null, \`telegram_chat_id\` text null, \`telegram_linked_at\` datetime null, \`io_enabled\` integer not null default false, \`preferred_language\` text check (\`preferred_language\` in ('it', 'en', 'de')) not null default 'it', \`preferences\` json not null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`citizen_comune_index\` on \`citizen\` (\`comune\`);`);
    this.addSql(`create unique index \`citizen_comune_fiscal_code_unique\` on \`citizen\` (\`comune\`, \`fiscal_code\`);`);

    this.addSql(`create table \`consent_grant\` (\`id\` text not null primary key, \`comune\` text not null, \`fiscal_code\` text not null, \`client_id\` text not null, \`scopes\` json not null, \`granted_at\` datetime not null, \`revoked_at\` datetime null);`);
    this.addSql(`create index \`consent_grant_comune_index\` on \`consent_grant\` (\`comune\`);`);
    this.addSql(`create unique index \`consent_grant_comune_fiscal_code_client_id_unique\` on \`consent_grant\` (\`comune\`, \`fiscal_code\`, \`client_id\`);`);

    this.addSql(`create table \`delegation\` (\`id\` text not null primary key, \`comune\` text not null, \`delegate_fiscal_code\` text not null, \`delegator_fiscal_code\` text not null, \`kind\` text check (\`kind\` in ('minor-child', 'delegating-adult')) not null, \`valid_from\` datetime not null, \`valid_until\` datetime null, \`revoked_at\` datetime null, \`created_at\` datetime not null);`);
    this.addSql(`create index \`delegation_comune_index\` on \`delegation\` (\`comune\`);`);
    this.addSql(`create index \`delegation_delegate_fiscal_code_index\` on \`delegation\` (\`delegate_fiscal_code\`);`);
    this.addSql(`create index \`delegation_delegator_fiscal_code_index\` on \`delegation\` (\`delegator_fiscal_code\`);`);

    this.addSql(`create table \`email_verification\` (\`id\` text not null primary key, \`comune\` text not null, \`fiscal_code\` text not null, \`email\` text not null, \`token_digest\` text not null, \`expires_at\` datetime not null, \`used_at\` datetime null);`);
    this.addSql(`create index \`email_verification_comune_index\` on \`email_verification\` (\`comune\`);`);
    this.addSql(`create index \`email_verification_fiscal_code_index\` on \`email_verification\` (\`fiscal_code\`);`);
    this.addSql(`create unique index \`email_verification_token_digest_unique\` on \`email_verification\` (\`token_digest\`);`);

    this.addSql(`create table \`inbox_entry\` (\`consumer\` text not null, \`event_id\` text not null, \`processed_at\` datetime not null, primary key (\`consumer\`, \`event_id\`));`);

    this.addSql(`create table \`outbox_message\` (\`id\` text not null primary key, \`type\` text not null, \`bus_subject\` text not null, \`subject\` text not null, \`payload\` json not null, \`comune\` text not null, \`created_at\` datetime not null, \`published_at\` datetime null, \`attempts\` integer not null default 0, \`last_error\` text null);`);
    this.addSql(`create index \`outbox_message_comune_index\` on \`outbox_message\` (\`comune\`);`);
    this.addSql(`create index \`outbox_message_pending_idx\` on \`outbox_message\` (\`published_at\`, \`created_at\`);`);

    this.addSql(`create table \`pending_authorization\` (\`id\` text not null primary key, \`comune\` text not null, \`request\` json not null, \`upstream_verifier\` text null, \`upstream_nonce\` text null, \`fiscal_code\` text null, \`expires_at\` datetime not null);`);
    this.addSql(`create index \`pending_authorization_comune_index\` on \`pending_authorization\` (\`comune\`);`);

    this.addSql(`create table \`signing_key\` (\`kid\` text not null primary key, \`public_jwk\` json not null, \`private_jwk\` json not null, \`created_at\` datetime not null, \`retired_at\` datetime null);`);

    this.addSql(`create table \`staff_member\` (\`id\` text not null primary key, \`comune\` text not null, \`username\` text not null, \`display_name\` text not null, \`offices\` json not null, \`disabled_at\` datetime null, \`created_at\` datetime not null);`);
    this.addSql(`create index \`staff_member_comune_index\` on \`staff_member\` (\`comune\`);`);
    this.addSql(`create unique index \`staff_member_comune_username_unique\` on \`staff_member\` (\`comune\`, \`username\`);`);

    this.addSql(`create table \`telegram_link_token\` (\`id\` text not null primary key, \`comune\` text not null, \`fiscal_code\` text not null, \`token_digest\` text not null, \`expires_at\` datetime not null, \`used_at\` datetime null);`);
    this.addSql(`create index \`telegram_link_token_comune_index\` on \`telegram_link_token\` (\`comune\`);`);
    this.addSql(`create index \`telegram_link_token_fiscal_code_index\` on \`telegram_link_token\` (\`fiscal_code\`);`);
    this.addSql(`create unique index \`telegram_link_token_token_digest_unique\` on \`telegram_link_token\` (\`token_digest\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`api_client\`;`);
    this.addSql(`drop table if exists \`audit_entry\`;`);
    this.addSql(`drop table if exists \`authorization_code\`;`);
    this.addSql(`drop table if exists \`citizen\`;`);
    this.addSql(`drop table if exists \`consent_grant\`;`);
    this.addSql(`drop table if exists \`delegation\`;`);
    this.addSql(`drop table if exists \`email_verification\`;`);
    this.addSql(`drop table if exists \`inbox_entry\`;`);
    this.addSql(`drop table if exists \`outbox_message\`;`);
    this.addSql(`drop table if exists \`pending_authorization\`;`);
    this.addSql(`drop table if exists \`signing_key\`;`);
    this.addSql(`drop table if exists \`staff_member\`;`);
    this.addSql(`drop table if exists \`telegram_link_token\`;`);
  }

}
