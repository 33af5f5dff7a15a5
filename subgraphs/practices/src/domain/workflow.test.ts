import { PRACTICE_STATUSES } from '@sportello/schema';
import { describe, expect, it } from 'vitest';
import { availableActions, checkTransition, FINAL_STATUSES, PRACTICE_TRANSITIONS } from './workflow.js';

describe('practice workflow table', () => {
  it('walks the whole life cycle, integration loop included', () => {
    const steps = [
      ['draft', 'submit', 'citizen', 'submitted'],
      ['submitted', 'register', 'system', 'registered'],
      ['registered', 'take-in-charge', 'staff', 'taken-in-charge'],
      ['taken-in-charge', 'request-integration', 'staff', 'integration-requested'],
      ['integration-requested', 'answer-integration', 'citizen', 'integration-answered'],
      ['integration-answered', 'resubmit-after-integration', 'system', 'submitted-after-integration'],
      ['submitted-after-integration', 'register', 'system', 'registered'],
      ['taken-in-charge', 'start-processing', 'staff', 'processing'],
      ['processing', 'accept', 'staff', 'accepted'],
    ] as const;
    for (const [from, action, role, to] of steps) {
      const result = checkTransition(from, action, role, 'note');
      expect(result.ok ? result.transition.to : result.refusal).toBe(to);
    }
  });

  it('refuses every action from a final state and names the status', () => {
    for (const status of FINAL_STATUSES) {
      expect(availableActions(status, 'citizen')).toEqual([]);
      expect(availableActions(status, 'staff')).toEqual([]);
      expect(checkTransition(status, 'withdraw', 'citizen')).toEqual({
        ok: false,
        refusal: expect.objectContaining({ kind: 'not-allowed-from', status, action: 'withdraw' }),
      });
    }
  });

  it('keeps each role to its own steps and asks for a reason where one is owed', () => {
    expect(checkTransition('registered', 'take-in-charge', 'citizen')).toMatchObject({
      ok: false,
      refusal: { kind: 'wrong-role', requiredRole: 'staff' },
    });
    expect(checkTransition('processing', 'reject', 'staff', '  ')).toMatchObject({
      ok: false,
      refusal: { kind: 'note-required' },
    });
  });

  it('only names statuses of the event catalogue, and every open status can be withdrawn', () => {
    for (const row of PRACTICE_TRANSITIONS) {
      expect(PRACTICE_STATUSES).toContain(row.to);
      for (const from of row.from) expect(PRACTICE_STATUSES).toContain(from);
    }
    const open = PRACTICE_STATUSES.filter((s) => !FINAL_STATUSES.includes(s));
    for (const status of open) expect(availableActions(status, 'citizen')).toContain('withdraw');
  });
});
