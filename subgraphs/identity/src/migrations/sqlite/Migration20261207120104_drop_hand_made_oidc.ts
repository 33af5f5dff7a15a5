import { Migration } from '@sportello/platform';

export class Migration20261207120104_drop_hand_made_oidc extends Migration {

  override name = 'Migration20261207120104_drop_hand_made_oidc';

  override up(): void | Promise<void> {
    this.addSql(`drop table if exists \`authorization_code\`;`);
    this.addSql(`drop table if exists \`pending_authorization\`;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`create table \`authorization_code\` (\`auth_time\` datetime null, \`client_id\` text not null, \`code_challenge\` text not null, \`code_digest\` text not null, \`comune\` text not null, \`expires_at\` datetime not null, \`fiscal_code\` text null, \`id\` text not null primary key, \`nonce\` text null, \`redirect_uri\` text not null, \`scopes\` json not null, \`staff_username\` text null, \`used_at\` datetime null);`);
    this.addSql(`create unique index \`authorization_code_code_digest_unique\` on \`authorization_code\` (\`code_digest\`);`);
    this.addSql(`create index \`authorization_code_comune_index\` on \`authorization_code\` (\`comune\`);`);

    this.addSql(`create table \`pending_authorization\` (\`comune\` text not null, \`expires_at\` datetime not null, \`fiscal_code\` text null, \`id\` text not null primary key, \`request\` json not null, \`staff_username\` text null, \`upstream_nonce\` text null, \`upstream_verifier\` text null);`);
    this.addSql(`create index \`pending_authorization_comune_index\` on \`pending_authorization\` (\`comune\`);`);
  }

}
