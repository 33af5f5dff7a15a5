import { Migration } from '@sportello/platform';

export class Migration20261207120104_drop_hand_made_oidc extends Migration {

  override name = 'Migration20261207120104_drop_hand_made_oidc';

  override up(): void | Promise<void> {
    this.addSql(`drop table if exists "authorization_code" cascade;`);
    this.addSql(`drop table if exists "pending_authorization" cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`create table "authorization_code" ("auth_time" timestamptz(6) null, "client_id" varchar(255) not null, "code_challenge" varchar(255) not null, "code_digest" varchar(255) not null, "comune" varchar(6) not null, "expires_at" timestamptz(6) not null, "fiscal_code" varchar(16) null, "id" uuid not null, "nonce" varchar(255) null, "redirect_uri" text not null, "scopes" jsonb not null, "staff_username" varchar(255) null, "used_at" timestamptz(6) null, primary key ("id"));`);
    this.addSql(`alter table "authorization_code" add constraint "authorization_code_code_digest_unique" unique ("code_digest");`);
    this.addSql(`create index "authorization_code_comune_index" on "authorization_code" ("comune");`);

    this.addSql(`create table "pending_authorization" ("comune" varchar(6) not null, "expires_at" timestamptz(6) not null, "fiscal_code" varchar(16) null, "id" varchar(255) not null, "request" jsonb not null, "staff_username" varchar(255) null, "upstream_nonce" varchar(255) null, "upstream_verifier" varchar(255) null, primary key ("id"));`);
    this.addSql(`create index "pending_authorization_comune_index" on "pending_authorization" ("comune");`);
  }

}
