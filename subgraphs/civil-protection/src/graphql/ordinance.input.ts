import { Field, ID, InputType } from 'type-graphql';
import type { LegalBasis, ScopeKind } from '../domain/ordinance.js';
import { LegalBasisEnum, TerritorialScopeKindEnum } from './enums.js';

@InputType('OrdinanceDraftInput', {
  description: 'The whole draft; saving replaces the previous draft text.',
})
export class OrdinanceDraftInput {
  @Field({ description: 'What the ordinance is about.' })
  subject!: string;

  @Field(() => LegalBasisEnum, { description: 'The article of the TUEL the mayor acts under.' })
  legalBasis!: LegalBasis;

  @Field({ description: 'Premises and reasons (e.g. the alert and the facts the ordinance follows).' })
  reasons!: string;

  @Field(() => [String], { description: 'The ordered measures, one per item.' })
  measures!: string[];

  @Field({ description: 'When the ordinance takes effect.' })
  effectiveFrom!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When it stops applying; omit for in force until revoked.',
  })
  effectiveUntil?: Date | null;

  @Field(() => TerritorialScopeKindEnum, { description: 'Whole comune, some zones or some streets.' })
  scopeKind!: ScopeKind;

  @Field(() => [String], { nullable: true, description: 'Zone codes of the comune, for scopeKind ZONES.' })
  zoneCodes?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Street names, for scopeKind STREETS.' })
  streets?: string[] | null;

  @Field({ description: 'Who enforces it, e.g. "Polizia Locale".' })
  enforcingBody!: string;

  @Field(() => String, { nullable: true, description: 'Required to publish.' })
  protocolNumber?: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD; required to publish.' })
  adoptedOn?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Defaults to the standard TAR / President of the Republic clause.',
  })
  appealClause?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'To whom the ordinance is notified, if stated.',
  })
  addressees?: string | null;

  @Field(() => ID, { nullable: true, description: 'The alert the ordinance follows.' })
  alertId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The published ordinance this draft corrects.' })
  correctsId?: string | null;
}

@InputType('OrdinanceDocumentInput', { description: 'A PDF to attach to a draft ordinance.' })
export class OrdinanceDocumentInput {
  @Field({ description: 'What the document is, e.g. "Testo dell’ordinanza firmato digitalmente".' })
  title!: string;

  @Field({ description: 'The file’s name, e.g. "ordinanza.pdf".' })
  fileName!: string;

  @Field({
    description:
      'The PDF, base64-encoded (10 MiB at most; through the gateway the request body limit applies too). ' +
      'The same file sent again is the same document.',
  })
  contentBase64!: string;
}
