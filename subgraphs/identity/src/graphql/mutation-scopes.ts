import type { MutationScopes } from '@sportello/platform';

/**
 * What an app acting for a citizen needs for each identity mutation: `profile:write` for the
 * citizen's email and language, `notifications:write` for their channels and preferences. `null`:
 * what only the citizen signed in themselves does (signing out everywhere, delegating, withdrawing
 * an app's access), the notifier's and the administrators' operations.
 */
export const IDENTITY_MUTATION_SCOPES = {
  setPreferredLanguage: 'profile:write',
  changeEmail: 'profile:write',
  verifyEmail: 'profile:write',
  updateNotificationPreferences: 'notifications:write',
  setAppIoEnabled: 'notifications:write',
  createTelegramLink: 'notifications:write',
  unlinkTelegram: 'notifications:write',
  signOutEverywhere: null,
  createDelegation: null,
  revokeDelegation: null,
  revokeAppGrant: null,
  linkTelegramChat: null,
  unsubscribeByLink: null,
  reportTelegramChatBlocked: null,
  registerApiClient: null,
  revokeApiClient: null,
  addStaffMember: null,
  setStaffOffices: null,
  setStaffMemberEnabled: null,
} as const satisfies MutationScopes;
