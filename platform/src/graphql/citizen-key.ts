import 'reflect-metadata';
import { GraphQLFiscalCode } from '@sportello/schema';
import { Field, ObjectType } from 'type-graphql';

/** The description every subgraph gives the federated `Citizen` entity, so composition sees one. */
export const CITIZEN_DESCRIPTION =
  'A citizen with a Sportello account. Personal fields are authorised one by one.';

/**
 * The key of the federated `Citizen` entity (identity owns it; every subgraph that adds fields
 * extends it): the fiscal code, which every system the comune talks to names people by. A subgraph
 * declares its own `Citizen` object type on top, with the `@key` directive and its own fields:
 *
 * ```ts
 * @Directive('@key(fields: "fiscalCode")')
 * @ObjectType('Citizen', { description: CITIZEN_DESCRIPTION })
 * export class CitizenType extends CitizenKey {}
 * ```
 *
 * Registered so type-graphql lets subclasses inherit its field; no resolver returns it, so no
 * schema shows it (type-graphql leaves out types no resolver reaches).
 */
@ObjectType()
export abstract class CitizenKey {
  @Field(() => GraphQLFiscalCode, {
    description:
      'The citizen’s codice fiscale (16 characters, upper case): the key every service uses for the citizen.',
  })
  fiscalCode!: string;
}
