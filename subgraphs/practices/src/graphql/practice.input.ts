import { GraphQLFiscalCode } from '@sportello/schema';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, InputType } from 'type-graphql';

@InputType('CreatePracticeDraftInput', { description: 'A new practice draft.' })
export class CreatePracticeDraftInput {
  @Field({ description: 'Code of the practice type.' })
  typeCode!: string;

  @Field(() => GraphQLFiscalCode, {
    nullable: true,
    description: 'The person you act for (a minor child, a delegating adult); omit for yourself.',
  })
  onBehalfOf?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Initial form data (may be incomplete).' })
  data?: Record<string, unknown> | null;
}
