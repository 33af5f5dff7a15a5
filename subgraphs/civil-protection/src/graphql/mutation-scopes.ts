import type { MutationScopes } from '@sportello/platform';

/** Civil protection's mutations are its staff's: no app acting for a citizen reaches any of them. */
export const CIVIL_PROTECTION_MUTATION_SCOPES = {
  importAlertZones: null,
  issueAlert: null,
  updateAlert: null,
  cancelAlert: null,
  attachOrdinanceDocument: null,
  removeOrdinanceDocument: null,
  createOrdinanceDraft: null,
  updateOrdinanceDraft: null,
  publishOrdinance: null,
} as const satisfies MutationScopes;
