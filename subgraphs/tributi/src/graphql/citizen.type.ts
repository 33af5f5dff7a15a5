import { CITIZEN_DESCRIPTION, CitizenKey } from '@sportello/platform';
import { Directive, ObjectType } from 'type-graphql';

/**
 * A citizen, as far as tributi knows them: the key, plus their payment positions (authorised in
 * the field resolver).
 */
@Directive('@key(fields: "fiscalCode")')
@ObjectType('Citizen', { description: CITIZEN_DESCRIPTION })
export class CitizenType extends CitizenKey {}
