import type { MutationScopes } from '@sportello/platform';

/** The notifier's mutations are its operators': no app acting for a citizen reaches any of them. */
export const NOTIFIER_MUTATION_SCOPES = {
  replayDeadLetter: null,
  replayUncertainDeliveries: null,
} as const satisfies MutationScopes;
