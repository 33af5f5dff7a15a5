import { CITIZEN_DESCRIPTION, CitizenKey } from '@sportello/platform';
import { Directive, ObjectType } from 'type-graphql';

/**
 * Anagrafe's part of a citizen (the entity identity owns). Every field is personal data and is
 * authorised in its resolver; the key alone reveals nothing.
 */
@Directive('@key(fields: "fiscalCode")')
@ObjectType('Citizen', { description: CITIZEN_DESCRIPTION })
export class CitizenType extends CitizenKey {}
