import { describe, expect, it } from 'vitest';
import {
  DEFAULT_APPEAL_CLAUSE,
  checkOrdinanceDraft,
  isInForce,
  publicationBlockers,
  type OrdinanceDraft,
} from './ordinance.js';

const zones = new Set(['Z1', 'Z2']);
const draft = (overrides: Partial<OrdinanceDraft> = {}): OrdinanceDraft => ({
  subject: 'Chiusura delle scuole e dei parchi',
  legalBasis: 'tuel-art-54-c4',
  reasons: 'Allerta rossa per rischio idraulico',
  measures: ['Chiusura delle scuole di ogni ordine e grado', ' ', 'Chiusura dei parchi'],
  effectiveFrom: new Date('2025-11-03T00:00:00Z'),
  effectiveUntil: new Date('2025-11-05T00:00:00Z'),
  scopeKind: 'whole-comune',
  enforcingBody: 'Polizia Locale',
  ...overrides,
});

describe('checkOrdinanceDraft', () => {
  it('normalises measures and supplies the standard appeal clause', () => {
    const result = checkOrdinanceDraft(draft(), zones);
    expect(result).toMatchObject({
      ok: true,
      draft: {
        measures: ['Chiusura delle scuole di ogni ordine e grado', 'Chiusura dei parchi'],
        appealClause: DEFAULT_APPEAL_CLAUSE,
      },
    });
    expect(DEFAULT_APPEAL_CLAUSE).toMatch(/60 giorni/);
    expect(DEFAULT_APPEAL_CLAUSE).toMatch(/120 giorni/);
  });

  it('checks the territorial scope against the comune', () => {
    const bad = checkOrdinanceDraft(draft({ scopeKind: 'zones', zoneCodes: ['Z7'] }), zones);
    expect(bad).toEqual({
      ok: false,
      violations: [{ field: 'zoneCodes', message: 'unknown zone code(s) for this comune: Z7' }],
    });
    const streets = checkOrdinanceDraft(
      draft({ scopeKind: 'streets', streets: ['Via Roma', 'Via Roma'] }),
      zones,
    );
    expect(streets).toMatchObject({ ok: true, draft: { scope: { kind: 'streets', streets: ['Via Roma'] } } });
    const mixed = checkOrdinanceDraft(draft({ scopeKind: 'whole-comune', streets: ['Via Roma'] }), zones);
    expect(mixed.ok).toBe(false);
  });

  it('reports every missing part', () => {
    const result = checkOrdinanceDraft(
      draft({
        subject: ' ',
        measures: [],
        enforcingBody: '',
        effectiveUntil: new Date('2025-11-01T00:00:00Z'),
      }),
      zones,
    );
    expect(result.ok ? [] : result.violations.map((v) => v.field)).toEqual([
      'subject',
      'measures',
      'enforcingBody',
      'effectiveUntil',
    ]);
  });
});

describe('publication and force', () => {
  const now = new Date('2025-11-03T10:00:00Z');
  it('needs a protocol number and a past adoption date', () => {
    expect(
      publicationBlockers({ status: 'draft', protocolNumber: null, adoptedOn: null }, now).map(
        (v) => v.field,
      ),
    ).toEqual(['protocolNumber', 'adoptedOn']);
    expect(
      publicationBlockers({ status: 'draft', protocolNumber: '2025/0012345', adoptedOn: now }, now),
    ).toEqual([]);
  });

  it('is in force only once published and inside its period', () => {
    const ordinance = {
      status: 'published' as const,
      effectiveFrom: new Date('2025-11-03T00:00:00Z'),
      effectiveUntil: null,
    };
    expect(isInForce(ordinance, now)).toBe(true);
    expect(isInForce({ ...ordinance, status: 'draft' }, now)).toBe(false);
    expect(isInForce({ ...ordinance, effectiveUntil: new Date('2025-11-03T09:00:00Z') }, now)).toBe(false);
  });
});
