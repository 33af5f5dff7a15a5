import { Migration } from '@sportello/platform';

export class Migration20261207074745_certificate_request_payment_failed extends Migration {

  override name = 'Migration20261207074745_certificate_request_payment_failed';

  override up(): void | Promise<void> {
    this.addSql(`alter table "certificate_request" drop constraint "certificate_request_status_check";`);
    this.addSql(`alter table "certificate_request" add "failure_reason" varchar(500) null;`);
    this.addSql(`alter table "certificate_request" add constraint "certificate_request_status_check" check ("status" in ('awaiting-payment', 'issued', 'cancelled', 'payment-failed'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "certificate_request" drop constraint "certificate_request_status_check";`);
    this.addSql(`alter table "certificate_request" drop column "failure_reason";`);
    this.addSql(`alter table "certificate_request" add constraint "certificate_request_status_check" check ("status" in ('awaiting-payment', 'issued', 'cancelled'));`);
  }

}
