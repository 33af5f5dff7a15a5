/**
 * Notifier test data, imported as `@sportello/test-support/notifier` (apart from the main barrel so
 * that the tests of other workspaces do not load the notifier).
 */
export { BILLED_PAYER, tariNoticeCreated, type TariBillingRun } from './billing-events.js';
export { planSyntheticAudience, type SyntheticAudienceOptions } from './synthetic-audience.js';
