import { Migration } from '@sportello/platform';

export class Migration20261123134223_staff_sign_in extends Migration {

  override name = 'Migration20261123134223_staff_sign_in';

  override up(): void | Promise<void> {
    this.addSql(`alter table "authorization_code" add "staff_username" varchar(255) null;`);
    this.addSql(`alter table "authorization_code" alter column "fiscal_code" drop not null;`);

    this.addSql(`alter table "pending_authorization" add "staff_username" varchar(255) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "authorization_code" drop column "staff_username";`);
    this.addSql(`alter table "authorization_code" alter column "fiscal_code" set not null;`);

    this.addSql(`alter table "pending_authorization" drop column "staff_username";`);
  }

}
