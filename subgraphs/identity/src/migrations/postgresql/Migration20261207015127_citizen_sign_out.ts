import { Migration } from '@sportello/platform';

export class Migration20261207015127_citizen_sign_out extends Migration {

  override name = 'Migration20261207015127_citizen_sign_out';

  override up(): void | Promise<void> {
    this.addSql(`alter table "citizen" add "signed_out_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "citizen" drop column "signed_out_at";`);
  }

}
