import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { LegalBasisEnum, OrdinanceStatusEnum, TerritorialScopeKindEnum } from './enums.js';

@ObjectType('TerritorialScope', { description: 'Where an ordinance applies.' })
export class TerritorialScopeType {
  @Field(() => TerritorialScopeKindEnum)
  kind!: string;

  @Field(() => [String], { description: 'Zone codes, for kind ZONES.' })
  zoneCodes!: string[];

  @Field(() => [String], { description: 'Streets, for kind STREETS.' })
  streets!: string[];
}

@Directive('@key(fields: "id")')
@ObjectType('Ordinance', {
  description:
    'A mayoral emergency ordinance. Published ones are public and never change (corrections are new ' +
    'ordinances); drafts are visible to civil-protection staff only.',
})
export class OrdinanceType {
  @Field(() => ID)
  id!: string;

  @Field(() => OrdinanceStatusEnum)
  status!: string;

  @Field(() => Int, { nullable: true, description: 'Register number in its year, assigned on publication.' })
  number!: number | null;

  @Field(() => Int, { nullable: true })
  year!: number | null;

  @Field(() => String, { nullable: true, description: 'As cited: "12/2025".' })
  reference!: string | null;

  @Field(() => String, { nullable: true })
  protocolNumber!: string | null;

  @Field(() => String, { nullable: true, description: 'Adoption day, YYYY-MM-DD.' })
  adoptedOn!: string | null;

  @Field()
  subject!: string;

  @Field(() => LegalBasisEnum)
  legalBasis!: string;

  @Field({ description: 'The legal basis as cited in the text.' })
  legalBasisCitation!: string;

  @Field()
  reasons!: string;

  @Field(() => [String])
  measures!: string[];

  @Field()
  effectiveFrom!: Date;

  @Field(() => Date, { nullable: true, description: 'Null: in force until revoked.' })
  effectiveUntil!: Date | null;

  @Field({ description: 'Published and inside its period of effect.' })
  inForce!: boolean;

  @Field(() => TerritorialScopeType)
  scope!: TerritorialScopeType;

  @Field(() => ID, { nullable: true, description: 'The alert the ordinance follows.' })
  alertId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The published ordinance this one corrects.' })
  correctsId!: string | null;

  @Field(() => Date, { nullable: true, description: 'Publication on the Albo Pretorio.' })
  publishedAt!: Date | null;

  @Field()
  enforcingBody!: string;

  @Field()
  appealClause!: string;

  @Field(() => String, { nullable: true })
  addressees!: string | null;
}
