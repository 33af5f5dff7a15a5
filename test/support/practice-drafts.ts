import { graphql, type GraphQLResponse } from './graphql-client.js';

/** Where a bulky-waste collection picks up. */
export interface PickupAddress {
  street: string;
  number: string;
  postcode: string;
}

/**
 * The citizen (`token`) drafts a bulky-waste collection at `address` (their own, as a rule) through
 * the gateway, for one mattress described as `description`.
 */
export function draftBulkyWasteCollection(
  api: string,
  token: string,
  address: PickupAddress,
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
            pickupAddress: { street: address.street, number: address.number, postcode: address.postcode },
            items: [{ kind: 'mattress', description }],
            phone: '+39 0171 123456',
          },
        },
      },
    },
  );
}
