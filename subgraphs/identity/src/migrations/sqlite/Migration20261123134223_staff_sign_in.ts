import { Migration } from '@sportello/platform';

export class Migration20261123134223_staff_sign_in extends Migration {

  override name = 'Migration20261123134223_staff_sign_in';

  override up(): void | Promise<void> {
    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`authorization_code__temp_alter\` (\`id\` text not null primary key, \`comune\` text not null, \`code_digest\` text not null, \`client_id\` text not null, \`redirect_uri\` text not null, \`code_challenge\` text not null, \`scopes\` json not null, \`fiscal_code\` text null, \`staff_username\` text null, \`nonce\` text null, \`expires_at\` datetime not null, \`used_at\` datetime null);`);
    this.addSql(`insert into \`authorization_code__temp_alter\` select \`id\`, \`comune\`, \`code_digest\`, \`client_id\`, \`redirect_uri\`, \`code_challenge\`, \`scopes\`, \`fiscal_code\`, null as \`staff_username\`, \`nonce\`, \`expires_at\`, \`used_at\` from \`authorization_code\`;`);
    this.addSql(`drop table \`authorization_code\`;`);
    this.addSql(`alter table \`authorization_code__temp_alter\` rename to \`authorization_code\`;`);
    this.addSql(`create index \`authorization_code_comune_index\` on \`authorization_code\` (\`comune\`);`);
    this.addSql(`create unique index \`authorization_code_code_digest_unique\` on \`authorization_code\` (\`code_digest\`);`);
    this.addSql(`pragma foreign_keys = on;`);

    this.addSql(`alter table \`pending_authorization\` add column \`staff_username\` text null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`authorization_code__temp_alter\` (\`client_id\` text not null, \`code_challenge\` text not null, \`code_digest\` text not null, \`comune\` text not null, \`expires_at\` datetime not null, \`fiscal_code\` text not null, \`id\` text not null primary key, \`nonce\` text null, \`redirect_uri\` text not null, \`scopes\` json not null, \`used_at\` datetime null);`);
    this.addSql(`insert into \`authorization_code__temp_alter\` select \`client_id\`, \`code_challenge\`, \`code_digest\`, \`comune\`, \`expires_at\`, \`fiscal_code\`, \`id\`, \`nonce\`, \`redirect_uri\`, \`scopes\`, \`used_at\` from \`authorization_code\`;`);
    this.addSql(`drop table \`authorization_code\`;`);
    this.addSql(`alter table \`authorization_code__temp_alter\` rename to \`authorization_code\`;`);
    this.addSql(`create unique index \`authorization_code_code_digest_unique\` on \`authorization_code\` (\`code_digest\`);`);
    this.addSql(`create index \`authorization_code_comune_index\` on \`authorization_code\` (\`comune\`);`);
    this.addSql(`pragma foreign_keys = on;`);

    this.addSql(`alter table \`pending_authorization\` drop column \`staff_username\`;`);
  }

}
