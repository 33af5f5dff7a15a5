import { Field, ID, InputType } from 'type-graphql';
import type { LegalBasis, ScopeKind } from '../domain/ordinance.js';
import { LegalBasisEnum, TerritorialScopeKindEnum } from './enums.js';

@InputType('OrdinanceDraftInput', {
  description: 'The whole draft; saving replaces the previous draft text.',
})
export class OrdinanceDraftInput {
  @Field()
  subject!: string;

  @Field(() => LegalBasisEnum)
  legalBasis!: LegalBasis;

  @Field({ description: 'Premises and reasons (e.g. the alert and the facts the ordinance follows).' })
  reasons!: string;

  @Field(() => [String], { description: 'The ordered measures, one per item.' })
  measures!: string[];

  @Field()
  effectiveFrom!: Date;

  @Field(() => Date, { nullable: true })
  effectiveUntil?: Date | null;

  @Field(() => TerritorialScopeKindEnum)
  scopeKind!: ScopeKind;

  @Field(() => [String], { nullable: true })
  zoneCodes?: string[] | null;

  @Field(() => [String], { nullable: true })
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

  @Field(() => String, { nullable: true })
  addressees?: string | null;

  @Field(() => ID, { nullable: true })
  alertId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The published ordinance this draft corrects.' })
  correctsId?: string | null;
}
