import { Migration } from '@sportello/platform';

export class Migration20261207104418_oidc_payload extends Migration {

  override name = 'Migration20261207104418_oidc_payload';

  override up(): void | Promise<void> {
    this.addSql(`create table \`oidc_payload\` (\`kind\` text not null, \`id\` text not null, \`payload\` json not null, \`grant_id\` text null, \`user_code\` text null, \`uid\` text null, \`expires_at\` datetime null, \`consumed_at\` datetime null, primary key (\`kind\`, \`id\`));`);
    this.addSql(`create index \`oidc_payload_grant_id_index\` on \`oidc_payload\` (\`grant_id\`);`);
    this.addSql(`create index \`oidc_payload_user_code_index\` on \`oidc_payload\` (\`user_code\`);`);
    this.addSql(`create index \`oidc_payload_uid_index\` on \`oidc_payload\` (\`uid\`);`);
    this.addSql(`create index \`oidc_payload_expires_at_index\` on \`oidc_payload\` (\`expires_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`oidc_payload\`;`);
  }

}
