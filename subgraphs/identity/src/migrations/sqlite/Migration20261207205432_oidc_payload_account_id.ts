import { Migration } from '@sportello/platform';

export class Migration20261207205432_oidc_payload_account_id extends Migration {

  override name = 'Migration20261207205432_oidc_payload_account_id';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`oidc_payload\` add column \`account_id\` text null;`);
    this.addSql(`create index \`oidc_payload_account_id_index\` on \`oidc_payload\` (\`account_id\`);`);
    // The rows stored before: their person, from the payload, as the adapter copies it (a non-empty string).
    this.addSql(`update \`oidc_payload\` set \`account_id\` = json_extract(\`payload\`, '$.accountId') where json_type(\`payload\`, '$.accountId') = 'text' and json_extract(\`payload\`, '$.accountId') <> '';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index \`oidc_payload_account_id_index\`;`);
    this.addSql(`alter table \`oidc_payload\` drop column \`account_id\`;`);
  }

}
