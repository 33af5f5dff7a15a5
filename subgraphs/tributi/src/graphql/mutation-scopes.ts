import type { MutationScopes } from '@sportello/platform';

/**
 * What an app acting for a citizen needs for each tributi mutation: nothing here is the citizen's
 * to do (positions are the office's, receipts come from the payment provider), so no app reaches
 * any of them and tributi has no write scope.
 */
export const TRIBUTI_MUTATION_SCOPES = {
  createPaymentPosition: null,
  cancelPaymentPosition: null,
  recordPaymentReceipt: null,
  startPaymentBulkJob: null,
  cancelPaymentBulkJob: null,
  retryPaymentBulkJob: null,
} as const satisfies MutationScopes;
