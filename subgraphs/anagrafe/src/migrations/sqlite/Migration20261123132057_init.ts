import { Migration } from '@sportello/platform';

export class Migration20261123132057_init extends Migration {

  override name = 'Migration20261123132057_init';

  override up(): void | Promise<void> {
    this.addSql(`create table \`certificate\` (\`id\` text not null primary key, \`comune\` text not null, \`verification_code\` text not null, \`requester_fiscal_code\` text not null, \`holder_fiscal_code\` text not null, \`holder_name\` text not null, \`kinds\` json not null, \`use\` text not null, \`stamp_duty\` text check (\`stamp_duty\` in ('paid', 'exempt')) not null, \`stamp_duty_text\` text not null, \`issued_at\` datetime not null, \`issued_on\` text not null, \`valid_until\` text null, \`content\` json not null);`);
    this.addSql(`create index \`certificate_comune_index\` on \`certificate\` (\`comune\`);`);
    this.addSql(`create unique index \`certificate_verification_code_unique\` on \`certificate\` (\`verification_code\`);`);
    this.addSql(`create index \`certificate_comune_holder_fiscal_code_index\` on \`certificate\` (\`comune\`, \`holder_fiscal_code\`);`);
    this.addSql(`create index \`certificate_comune_requester_fiscal_code_index\` on \`certificate\` (\`comune\`, \`requester_fiscal_code\`);`);

    this.addSql(`create table \`document_reminder\` (\`id\` text not null primary key, \`comune\` text not null, \`document_id\` text not null, \`kind\` text check (\`kind\` in ('expiring', 'expired')) not null, \`offset_days\` integer not null, \`event_id\` text not null, \`sent_on\` text not null);`);
    this.addSql(`create index \`document_reminder_comune_index\` on \`document_reminder\` (\`comune\`);`);
    this.addSql(`create unique index \`document_reminder_document_id_kind_offset_days_unique\` on \`document_reminder\` (\`document_id\`, \`kind\`, \`offset_days\`);`);

    this.addSql(`create table \`identity_document\` (\`id\` text not null primary key, \`comune\` text not null, \`holder_fiscal_code\` text not null, \`kind\` text check (\`kind\` in ('CIE', 'paper')) not null, \`number\` text not null, \`issued_on\` text not null, \`printed_expires_on\` text not null, \`expires_on\` text not null, \`replaced_at\` datetime null, \`created_at\` datetime not null);`);
    this.addSql(`create index \`identity_document_comune_index\` on \`identity_document\` (\`comune\`);`);
    this.addSql(`create index \`identity_document_comune_holder_fiscal_code_index\` on \`identity_document\` (\`comune\`, \`holder_fiscal_code\`);`);
    this.addSql(`create index \`identity_document_expires_on_index\` on \`identity_document\` (\`expires_on\`);`);
    this.addSql(`create unique index \`identity_document_comune_kind_number_unique\` on \`identity_document\` (\`comune\`, \`kind\`, \`number\`);`);

    this.addSql(`create table \`inbox_entry\` (\`consumer\` text not null, \`event_id\` text not null, \`processed_at\` datetime not null, primary key (\`consumer\`, \`event_id\`));`);

    this.addSql(`create table \`outbox_message\` (\`id\` text not null primary key, \`type\` text not null, \`bus_subject\` text not null, \`subject\` text not null, \`payload\` json not null, \`comune\` text not null, \`created_at\` datetime not null, \`published_at\` datetime null, \`attempts\` integer not null default 0, \`last_error\` text null);`);
    this.addSql(`create index \`outbox_message_comune_index\` on \`outbox_message\` (\`comune\`);`);
    this.addSql(`create index \`outbox_message_pending_idx\` on \`outbox_message\` (\`published_at\`, \`created_at\`);`);

    this.addSql(`create table \`residence_change\` (\`id\` text not null primary key, \`comune\` text not null, \`applicant_fiscal_code\` text not null, \`movers\` json not null, \`mover_codes\` text not null, \`street\` text not null, \`street_number\` text not null, \`postcode\` text not null, \`zone\` text null, \`status\` text check (\`status\` in ('declared', 'registered', 'obstacles-notified', 'accepted', 'rejected', 'withdrawn')) not null, \`declared_on\` text not null, \`registered_on\` text null, \`obstacles_notified_on\` text null, \`decided_on\` text null, \`history\` json not null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`residence_change_comune_index\` on \`residence_change\` (\`comune\`);`);
    this.addSql(`create index \`residence_change_comune_applicant_fiscal_code_index\` on \`residence_change\` (\`comune\`, \`applicant_fiscal_code\`);`);
    this.addSql(`create index \`residence_change_status_declared_on_index\` on \`residence_change\` (\`status\`, \`declared_on\`);`);

    this.addSql(`create table \`resident\` (\`id\` text not null primary key, \`comune\` text not null, \`fiscal_code\` text not null, \`given_name\` text not null, \`family_name\` text not null, \`search_text\` text not null, \`sex\` text check (\`sex\` in ('F', 'M')) not null, \`birth_date\` text not null, \`birth_place_code\` text not null, \`birth_place_name\` text not null, \`citizenship\` text not null, \`civil_status\` text check (\`civil_status\` in ('single', 'married', 'civil-union', 'widowed', 'divorced', 'separated')) not null, \`street\` text not null, \`street_number\` text not null, \`postcode\` text not null, \`zone\` text null, \`family_code\` text not null, \`relationship\` text check (\`relationship\` in ('head', 'spouse', 'child', 'parent', 'cohabitant')) not null, \`resident_since\` text not null, \`polling_station\` text null, \`electoral_section\` integer null, \`electoral_card_number\` text null, \`registered_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`resident_comune_index\` on \`resident\` (\`comune\`);`);
    this.addSql(`create index \`resident_comune_zone_fiscal_code_index\` on \`resident\` (\`comune\`, \`zone\`, \`fiscal_code\`);`);
    this.addSql(`create index \`resident_comune_family_code_index\` on \`resident\` (\`comune\`, \`family_code\`);`);
    this.addSql(`create index \`resident_comune_search_text_index\` on \`resident\` (\`comune\`, \`search_text\`);`);
    this.addSql(`create index \`resident_comune_street_index\` on \`resident\` (\`comune\`, \`street\`);`);
    this.addSql(`create unique index \`resident_comune_fiscal_code_unique\` on \`resident\` (\`comune\`, \`fiscal_code\`);`);

    this.addSql(`create table \`street\` (\`id\` text not null primary key, \`comune\` text not null, \`name\` text not null, \`postcode\` text not null, \`zone\` text null);`);
    this.addSql(`create index \`street_comune_index\` on \`street\` (\`comune\`);`);
    this.addSql(`create unique index \`street_comune_name_unique\` on \`street\` (\`comune\`, \`name\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`certificate\`;`);
    this.addSql(`drop table if exists \`document_reminder\`;`);
    this.addSql(`drop table if exists \`identity_document\`;`);
    this.addSql(`drop table if exists \`inbox_entry\`;`);
    this.addSql(`drop table if exists \`outbox_message\`;`);
    this.addSql(`drop table if exists \`residence_change\`;`);
    this.addSql(`drop table if exists \`resident\`;`);
    this.addSql(`drop table if exists \`street\`;`);
  }

}
