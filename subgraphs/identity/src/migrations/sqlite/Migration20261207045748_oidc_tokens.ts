import { Migration } from '@sportello/platform';

export class Migration20261207045748_oidc_tokens extends Migration {

  override name = 'Migration20261207045748_oidc_tokens';

  override up(): void | Promise<void> {
    this.addSql(`create table \`refresh_token\` (\`id\` text not null primary key, \`comune\` text not null, \`token_digest\` text not null, \`family_id\` text not null, \`client_id\` text not null, \`fiscal_code\` text null, \`staff_username\` text null, \`scopes\` json not null, \`auth_time\` datetime not null, \`access_token_id\` text null, \`issued_at\` datetime not null, \`expires_at\` datetime not null, \`rotated_at\` datetime null, \`revoked_at\` datetime null);`);
    this.addSql(`create index \`refresh_token_comune_index\` on \`refresh_token\` (\`comune\`);`);
    this.addSql(`create unique index \`refresh_token_token_digest_unique\` on \`refresh_token\` (\`token_digest\`);`);
    this.addSql(`create index \`refresh_token_family_id_index\` on \`refresh_token\` (\`family_id\`);`);
    this.addSql(`create index \`refresh_token_access_token_id_index\` on \`refresh_token\` (\`access_token_id\`);`);

    this.addSql(`alter table \`authorization_code\` add column \`auth_time\` datetime null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`refresh_token\`;`);

    this.addSql(`alter table \`authorization_code\` drop column \`auth_time\`;`);
  }

}
