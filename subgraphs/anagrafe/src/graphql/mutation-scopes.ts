import type { MutationScopes, WriteScope } from '@sportello/platform';

/**
 * What an app acting for a citizen needs for each anagrafe mutation: `anagrafe:write` for what the
 * citizen declares or asks for; `null` for the office's own acts, which apps never reach.
 */
export const ANAGRAFE_MUTATION_SCOPES = {
  requestCertificate: 'anagrafe:write',
  declareResidenceChange: 'anagrafe:write',
  withdrawResidenceChange: 'anagrafe:write',
  replyToResidenceChangeObstacles: 'anagrafe:write',
  recordIdentityDocument: null,
  registerResident: null,
  registerResidenceChange: null,
  notifyResidenceChangeObstacles: null,
  acceptResidenceChange: null,
  rejectResidenceChange: null,
} as const satisfies MutationScopes;

/** What an app acting for a citizen needs to upload a document for a reply to a notice of obstacles. */
export const REPLY_DOCUMENT_UPLOAD_SCOPE: WriteScope = 'anagrafe:write';
