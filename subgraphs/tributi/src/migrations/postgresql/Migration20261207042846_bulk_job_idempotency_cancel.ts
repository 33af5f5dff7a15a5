import { Migration } from '@sportello/platform';

export class Migration20261207042846_bulk_job_idempotency_cancel extends Migration {

  override name = 'Migration20261207042846_bulk_job_idempotency_cancel';

  override up(): void | Promise<void> {
    this.addSql(`alter table "bulk_job" drop constraint "bulk_job_status_check";`);
    this.addSql(`alter table "bulk_job" add "idempotency_key" varchar(100) null, add "request_hash" varchar(64) null;`);
    this.addSql(`alter table "bulk_job" add constraint "bulk_job_idempotency_key_unique" unique ("comune", "idempotency_key");`);
    this.addSql(`alter table "bulk_job" add constraint "bulk_job_status_check" check ("status" in ('queued', 'running', 'completed', 'failed', 'cancelled'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "bulk_job" drop constraint "bulk_job_idempotency_key_unique";`);
    this.addSql(`alter table "bulk_job" drop constraint "bulk_job_status_check";`);
    this.addSql(`alter table "bulk_job" drop column "idempotency_key", drop column "request_hash";`);
    this.addSql(`alter table "bulk_job" add constraint "bulk_job_status_check" check ("status" in ('queued', 'running', 'completed', 'failed'));`);
  }

}
