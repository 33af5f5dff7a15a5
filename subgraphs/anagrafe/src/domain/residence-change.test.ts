import { describe, expect, it } from 'vitest';
import { checkDeadline, refusal, replyDueOn, silentlyApproved } from './residence-change.js';

const declared = { status: 'declared' as const, declaredOn: '2026-03-01', obstaclesNotifiedOn: null };

describe('change of residence', () => {
  it('moves only along the allowed transitions', () => {
    expect(refusal('register', declared, '2026-03-02')).toBeNull();
    expect(refusal('accept', declared, '2026-03-02')).toMatch(/declared cannot be moved to accepted/);
    expect(refusal('withdraw', { ...declared, status: 'accepted' }, '2026-03-02')).toMatch(/accepted/);
  });

  it('rejects only after the 10 days given to answer a notice of obstacles', () => {
    const notified = {
      status: 'obstacles-notified' as const,
      declaredOn: '2026-03-01',
      obstaclesNotifiedOn: '2026-03-20',
    };
    expect(replyDueOn(notified)).toBe('2026-03-30');
    expect(refusal('reject', notified, '2026-03-30')).toMatch(/until 2026-03-30/);
    expect(refusal('reject', notified, '2026-03-31')).toBeNull();
    expect(
      refusal('reject', { ...notified, status: 'registered', obstaclesNotifiedOn: null }, '2026-05-01'),
    ).toMatch(/registered cannot be moved to rejected/);
  });

  it('is accepted by silence once 45 days have passed without outcome', () => {
    const registered = { ...declared, status: 'registered' as const };
    expect(checkDeadline(registered)).toBe('2026-04-15');
    expect(silentlyApproved(registered, '2026-04-15')).toBe(false);
    expect(silentlyApproved(registered, '2026-04-16')).toBe(true);
    expect(silentlyApproved({ ...registered, status: 'obstacles-notified' }, '2026-06-01')).toBe(false);
  });
});
