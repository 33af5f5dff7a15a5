import { Migration } from '@sportello/platform';

export class Migration20261207055750_certificate_request_cancelled extends Migration {
  override name = 'Migration20261207055750_certificate_request_cancelled';

  override up(): void | Promise<void> {
    this.addSql(`alter table "certificate_request" drop constraint "certificate_request_status_check";`);
    this.addSql(
      `alter table "certificate_request" add constraint "certificate_request_status_check" check ("status" in ('awaiting-payment', 'issued', 'cancelled'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "certificate_request" drop constraint "certificate_request_status_check";`);
    this.addSql(
      `alter table "certificate_request" add constraint "certificate_request_status_check" check ("status" in ('awaiting-payment', 'issued'));`,
    );
  }
}
