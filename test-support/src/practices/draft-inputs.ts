/** A practice draft as a citizen files it: the type and the fields of its form. */
export interface PracticeDraftInput {
  typeCode: string;
  data: Record<string, unknown>;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** A public-land occupation (a dehors) in 40 to 70 days: a fee of 32 EUR, no attachment required. */
export function landOccupationDraft(): PracticeDraftInput {
  return {
    typeCode: 'public-land-occupation',
    data: {
      location: { street: 'Via Roma', number: '3', postcode: '12042' },
      purpose: 'dehors',
      areaSqm: 12,
      from: inDays(40),
      to: inDays(70),
    },
  };
}

/** A bulky-waste collection of a mattress from `pickupAddress`. */
export function bulkyWasteDraft(
  pickupAddress: { street: string; number: string; postcode: string } = {
    street: 'Via Roma',
    number: '1',
    postcode: '10100',
  },
): PracticeDraftInput {
  return {
    typeCode: 'bulky-waste-collection',
    data: { pickupAddress, items: [{ kind: 'mattress' }], phone: '+39 011 555 1234' },
  };
}
