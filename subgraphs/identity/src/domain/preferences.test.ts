import { describe, expect, it } from 'vitest';
import {
  applyPreferenceChanges,
  defaultPreferences,
  effectivePreferences,
  PreferenceRuleViolation,
} from './preferences.js';

describe('notification preferences', () => {
  it('turns a channel off for one category and leaves the rest on', () => {
    const next = applyPreferenceChanges(defaultPreferences(), [
      { category: 'payment-reminders', channel: 'telegram', enabled: false },
    ]);
    expect(next['payment-reminders']).toEqual({ email: true, telegram: false, io: true });
    expect(next.ordinances.telegram).toBe(true);
  });

  it('refuses to turn critical alerts off and applies nothing of that batch', () => {
    const current = defaultPreferences();
    expect(() =>
      applyPreferenceChanges(current, [
        { category: 'ordinances', channel: 'email', enabled: false },
        { category: 'critical-alerts', channel: 'io', enabled: false },
      ]),
    ).toThrow(PreferenceRuleViolation);
    expect(current.ordinances.email).toBe(true);
  });

  it('forces critical alerts on even when a stored row says otherwise', () => {
    const stored = defaultPreferences();
    stored['critical-alerts'].email = false;
    expect(effectivePreferences(stored)['critical-alerts'].email).toBe(true);
  });
});
