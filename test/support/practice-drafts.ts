import type { DemoPerson } from '@sportello/hub';
import { graphql, type GraphQLResponse } from './graphql-client.js';

/**
 * The citizen (`token`) drafts a bulky-waste collection at their own address through the gateway,
 * for one mattress described as `description`.
 */
export function draftBulkyWasteCollection(
  api: string,
  token: string,
  citizen: DemoPerson,
  description: string,
): Promise<GraphQLResponse<{ createPracticeDraft: { id: string } }>> {
  return graphql<{ createPracticeDraft: { id: string } }>(
    api,
    'mutation Draft($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }',
    {
      token,
      variables: {
        input: {
          typeCode: 'bulky-waste-collection',
          data: {
            pickupAddress: {
              street: citizen.address.street,
              number: citizen.address.number,
              postcode: citizen.address.postcode,
            },
            items: [{ kind: 'mattress', description }],
            phone: '+39 0171 123456',
          },
        },
      },
    },
  );
}
