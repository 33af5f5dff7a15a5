import { describe, expect, it } from 'vitest';
import { audienceZones, checkAlert, isActive, isInEffect, minimumPhase, type AlertDraft } from './alert.js';

const zones = new Set(['Z1', 'Z2', 'Z3']);
const now = new Date('2025-11-03T10:00:00Z');
const draft = (overrides: Partial<AlertDraft> = {}): AlertDraft => ({
  hazard: 'hydraulic',
  colour: 'orange',
  zoneCodes: ['Z2', 'Z1', 'Z2'],
  validFrom: new Date('2025-11-03T12:00:00Z'),
  validUntil: new Date('2025-11-04T12:00:00Z'),
  instructions: '  Evitare i sottopassi.  ',
  ...overrides,
});

function violations(overrides: Partial<AlertDraft>) {
  const result = checkAlert(draft(overrides), zones, now);
  return result.ok ? [] : result.violations;
}

describe('checkAlert', () => {
  it('normalises zones and defaults the phase to the minimum the colour requires', () => {
    const result = checkAlert(draft(), zones, now);
    expect(result).toMatchObject({
      ok: true,
      alert: {
        area: { wholeComune: false, zoneCodes: ['Z1', 'Z2'] },
        phase: 'attention',
        instructions: 'Evitare i sottopassi.',
      },
    });
    expect(minimumPhase('red')).toBe('pre-alarm');
    expect(minimumPhase('green')).toBeNull();
  });

  it('names unknown zones and the zones the comune has', () => {
    expect(violations({ zoneCodes: ['Z1', 'Z9'] })).toEqual([
      { field: 'zoneCodes', message: 'unknown zone code(s) for this comune: Z9 (known: Z1, Z2, Z3)' },
    ]);
  });

  it('requires either zones or the whole comune, not both', () => {
    expect(violations({ zoneCodes: [] })[0]?.field).toBe('zoneCodes');
    expect(violations({ zoneCodes: ['Z1'], wholeComune: true })[0]?.field).toBe('zoneCodes');
    expect(checkAlert(draft({ zoneCodes: null, wholeComune: true }), zones, now)).toMatchObject({
      ok: true,
      alert: { area: { wholeComune: true } },
    });
  });

  it('rejects a phase below what the colour requires, and accepts escalation', () => {
    expect(violations({ colour: 'red', phase: 'attention' })).toEqual([
      { field: 'phase', message: 'a red alert requires at least the pre-alarm phase' },
    ]);
    expect(violations({ colour: 'yellow', phase: 'alarm' })).toEqual([]);
  });

  it('checks the validity window and the instructions, reporting every problem at once', () => {
    const found = violations({
      validUntil: new Date('2025-11-03T11:00:00Z'),
      instructions: '   ',
    });
    expect(found.map((v) => v.field)).toEqual(['validUntil', 'instructions']);
    expect(
      violations({
        validFrom: new Date('2025-11-01T00:00:00Z'),
        validUntil: new Date('2025-11-02T00:00:00Z'),
      }),
    ).toEqual([
      { field: 'validUntil', message: 'validUntil is already past: the alert would never be in force' },
    ]);
    expect(violations({ validUntil: new Date('2025-11-20T00:00:00Z') })[0]?.message).toMatch(
      /at most 7 days/,
    );
  });
});

describe('alert timing and audience', () => {
  const timing = {
    status: 'active' as const,
    validFrom: new Date('2025-11-03T12:00:00Z'),
    validUntil: new Date('2025-11-04T12:00:00Z'),
  };
  it('an alert for later today is active but not yet in effect; a cancelled one is neither', () => {
    expect(isActive(timing, now)).toBe(true);
    expect(isInEffect(timing, now)).toBe(false);
    expect(isInEffect(timing, new Date('2025-11-03T13:00:00Z'))).toBe(true);
    expect(isActive(timing, new Date('2025-11-04T12:00:00Z'))).toBe(false);
    expect(isActive({ ...timing, status: 'cancelled' }, now)).toBe(false);
  });

  it('expands the whole comune to every zone, and keeps a zone list as is', () => {
    expect(audienceZones({ wholeComune: true }, ['Z3', 'Z1', 'Z2'])).toEqual({
      wholeComune: true,
      zoneCodes: ['Z1', 'Z2', 'Z3'],
    });
    expect(audienceZones({ wholeComune: false, zoneCodes: ['Z2'] }, ['Z1', 'Z2'])).toEqual({
      wholeComune: false,
      zoneCodes: ['Z2'],
    });
  });
});
