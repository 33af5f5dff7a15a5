import type { MutationScopes, WriteScope } from '@sportello/platform';

/**
 * What an app acting for a citizen needs for each practices mutation: `practices:write` for the
 * citizen's side (practices, their attachments and messages, appointments, reports); `null` for the
 * offices' side, which apps never reach.
 */
export const PRACTICES_MUTATION_SCOPES = {
  createPracticeDraft: 'practices:write',
  savePracticeData: 'practices:write',
  submitPractice: 'practices:write',
  requestPracticePayment: 'practices:write',
  withdrawPractice: 'practices:write',
  answerPracticeIntegration: 'practices:write',
  removePracticeAttachment: 'practices:write',
  postPracticeMessage: 'practices:write',
  bookAppointment: 'practices:write',
  moveAppointment: 'practices:write',
  cancelAppointment: 'practices:write',
  fileReport: 'practices:write',
  takePracticeInCharge: null,
  requestPracticeIntegration: null,
  startPracticeProcessing: null,
  acceptPractice: null,
  rejectPractice: null,
  exemptPracticeFee: null,
  updateReportStatus: null,
} as const satisfies MutationScopes;

/** What an app acting for a citizen needs to upload an attachment or a photo (`POST /attachments`). */
export const ATTACHMENT_UPLOAD_SCOPE: WriteScope = 'practices:write';
