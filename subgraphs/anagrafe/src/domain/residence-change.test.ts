import { addDays } from '@sportello/platform';
import { describe, expect, it } from 'vitest';
import {
  checkDeadline,
  lastOverdueDeclarationDay,
  refusal,
  registrationDueBy,
  registrationOverdue,
  replyDueOn,
  silentlyApproved,
} from './residence-change.js';

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

  it('is due for registration on the 2nd working day after the declaration', () => {
    // Thursday → Monday (Saturday and Sunday do not count).
    expect(registrationDueBy({ declaredOn: '2026-03-05' })).toBe('2026-03-09');
    // Thursday 2 April 2026 → Tuesday 7 (Easter Monday 6 April is a holiday).
    expect(registrationDueBy({ declaredOn: '2026-04-02' })).toBe('2026-04-07');
    // Friday 2 October 2026 → Tuesday 6 (St Francis, Sunday 4, is a holiday anyway; Monday 5 counts).
    expect(registrationDueBy({ declaredOn: '2026-10-02' })).toBe('2026-10-06');
    expect(registrationDueBy({ declaredOn: '2026-12-24' })).toBe('2026-12-29');
    expect(registrationOverdue({ status: 'declared', declaredOn: '2026-03-05' }, '2026-03-09')).toBe(false);
    expect(registrationOverdue({ status: 'declared', declaredOn: '2026-03-05' }, '2026-03-10')).toBe(true);
    expect(registrationOverdue({ status: 'registered', declaredOn: '2026-03-05' }, '2026-05-10')).toBe(false);
  });

  it('tells by the declaration day alone which declarations are overdue, holidays and weekends included', () => {
    // Declarations of Friday 4 December 2026 to Sunday 6 were due on Wednesday 9 (Tuesday 8 a holiday).
    expect(lastOverdueDeclarationDay('2026-12-10')).toBe('2026-12-06');
    expect(lastOverdueDeclarationDay('2026-12-09')).toBe('2026-12-03');
    // Every day of 2025-2027 against every declaration day of the three weeks before it.
    const disagreements: string[] = [];
    for (let today = '2025-01-01'; today <= '2027-12-31'; today = addDays(today, 1)) {
      const last = lastOverdueDeclarationDay(today);
      for (let back = 0; back <= 21; back++) {
        const declaredOn = addDays(today, -back);
        if (declaredOn <= last !== registrationOverdue({ status: 'declared', declaredOn }, today))
          disagreements.push(`${declaredOn} on ${today}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
