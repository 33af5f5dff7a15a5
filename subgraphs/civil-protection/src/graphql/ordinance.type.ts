import { connectionType } from '@sportello/platform';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { LegalBasisEnum, OrdinanceStatusEnum, TerritorialScopeKindEnum } from './enums.js';

@ObjectType('TerritorialScope', { description: 'Where an ordinance applies.' })
export class TerritorialScopeType {
  @Field(() => TerritorialScopeKindEnum, { description: 'Whole comune, some zones or some streets.' })
  kind!: string;

  @Field(() => [String], { description: 'Zone codes, for kind ZONES.' })
  zoneCodes!: string[];

  @Field(() => [String], { description: 'Streets, for kind STREETS.' })
  streets!: string[];
}

@ObjectType('OrdinanceDocument', {
  description:
    'A document of an ordinance (the signed act, an annex), as PDF. Public once the ordinance is published; ' +
    'drafts’ documents are seen by civil-protection staff only.',
})
export class OrdinanceDocumentType {
  @Field(() => ID, { description: 'Identifier of the document.' })
  id!: string;

  @Field({ description: 'What the document is, e.g. "Testo dell’ordinanza firmato digitalmente".' })
  title!: string;

  @Field({ description: 'File name, e.g. "ordinanza-12-2026.pdf".' })
  fileName!: string;

  @Field({ description: 'Media type: application/pdf.' })
  mediaType!: string;

  @Field(() => Int, { description: 'Size in bytes.' })
  bytes!: number;

  @Field({ description: 'Hex SHA-256 of the content: compare it with a copy to check the copy.' })
  sha256!: string;

  @Field({ description: 'When it was attached.' })
  uploadedAt!: Date;

  @Field(() => String, {
    nullable: true,
    description:
      'Where anyone downloads it: an absolute URL on the public origin; null while the ordinance is a draft.',
  })
  url!: string | null;
}

@Directive('@key(fields: "id")')
@ObjectType('Ordinance', {
  description:
    'A mayoral emergency ordinance. Published ones are public and never change (corrections are new ' +
    'ordinances); drafts are visible to civil-protection staff only.',
})
export class OrdinanceType {
  @Field(() => ID, { description: 'Identifier of the ordinance.' })
  id!: string;

  @Field(() => OrdinanceStatusEnum, { description: 'Draft or published.' })
  status!: string;

  @Field(() => Int, { nullable: true, description: 'Register number in its year, assigned on publication.' })
  number!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Register year, assigned on publication; null for drafts.',
  })
  year!: number | null;

  @Field(() => String, { nullable: true, description: 'As cited: "12/2025".' })
  reference!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Protocol number; null until set (required to publish).',
  })
  protocolNumber!: string | null;

  @Field(() => String, { nullable: true, description: 'Adoption day, YYYY-MM-DD.' })
  adoptedOn!: string | null;

  @Field({ description: 'What the ordinance is about.' })
  subject!: string;

  @Field(() => LegalBasisEnum, { description: 'The article of the TUEL the mayor acts under.' })
  legalBasis!: string;

  @Field({ description: 'The legal basis as cited in the text.' })
  legalBasisCitation!: string;

  @Field({ description: 'Premises and reasons (e.g. the alert and the facts the ordinance follows).' })
  reasons!: string;

  @Field(() => [String], { description: 'The ordered measures, one per item.' })
  measures!: string[];

  @Field({ description: 'When the ordinance takes effect.' })
  effectiveFrom!: Date;

  @Field(() => Date, { nullable: true, description: 'Null: in force until revoked.' })
  effectiveUntil!: Date | null;

  @Field({ description: 'Published and inside its period of effect.' })
  inForce!: boolean;

  @Field(() => TerritorialScopeType, { description: 'Where the ordinance applies.' })
  scope!: TerritorialScopeType;

  @Field(() => ID, { nullable: true, description: 'The alert the ordinance follows.' })
  alertId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The published ordinance this one corrects.' })
  correctsId!: string | null;

  @Field(() => Date, { nullable: true, description: 'Publication on the Albo Pretorio.' })
  publishedAt!: Date | null;

  @Field({ description: 'Who enforces it, e.g. "Polizia Locale".' })
  enforcingBody!: string;

  @Field({
    description:
      'How and by when it can be appealed (TAR within 60 days, President of the Republic within 120).',
  })
  appealClause!: string;

  @Field(() => String, {
    nullable: true,
    description: 'To whom the ordinance is notified; null when not stated.',
  })
  addressees!: string | null;
}

export const OrdinanceConnectionType = connectionType(OrdinanceType, 'Ordinance', 'ordinances');
