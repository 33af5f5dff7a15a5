import { Migration } from '@sportello/platform';

export class Migration20261207045748_oidc_tokens extends Migration {

  override name = 'Migration20261207045748_oidc_tokens';

  override up(): void | Promise<void> {
    this.addSql(`create table "refresh_token" ("id" uuid not null, "comune" varchar(6) not null, "token_digest" varchar(255) not null, "family_id" uuid not null, "client_id" varchar(255) not null, "fiscal_code" varchar(16) null, "staff_username" varchar(255) null, "scopes" jsonb not null, "auth_time" timestamptz not null, "access_token_id" varchar(255) null, "issued_at" timestamptz not null, "expires_at" timestamptz not null, "rotated_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "refresh_token_comune_index" on "refresh_token" ("comune");`);
    this.addSql(`alter table "refresh_token" add constraint "refresh_token_token_digest_unique" unique ("token_digest");`);
    this.addSql(`create index "refresh_token_family_id_index" on "refresh_token" ("family_id");`);
    this.addSql(`create index "refresh_token_access_token_id_index" on "refresh_token" ("access_token_id");`);

    this.addSql(`alter table "authorization_code" add "auth_time" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "refresh_token" cascade;`);

    this.addSql(`alter table "authorization_code" drop column "auth_time";`);
  }

}
