import { Migration } from '@sportello/platform';

export class Migration20261207142500_refresh_token_expires_at extends Migration {

  override name = 'Migration20261207142500_refresh_token_expires_at';

  override up(): void | Promise<void> {
    this.addSql(`create index \`refresh_token_expires_at_index\` on \`refresh_token\` (\`expires_at\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index \`refresh_token_expires_at_index\`;`);
  }

}
