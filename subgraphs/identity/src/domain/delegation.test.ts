import { describe, expect, it } from 'vitest';
import { delegationWindowProblem, isDelegationActive } from './delegation.js';
import { fiscalCodeFromUpstreamClaim } from './upstream-subject.js';

const day = 86_400_000;
const now = new Date('2026-03-01T10:00:00Z');

describe('delegations', () => {
  it('are active only inside their window and until revoked', () => {
    const base = {
      validFrom: new Date(now.getTime() - day),
      validUntil: new Date(now.getTime() + day),
      revokedAt: null,
    };
    expect(isDelegationActive(base, now)).toBe(true);
    expect(isDelegationActive({ ...base, validFrom: new Date(now.getTime() + 1) }, now)).toBe(false);
    expect(isDelegationActive({ ...base, validUntil: now }, now)).toBe(false);
    expect(isDelegationActive({ ...base, revokedAt: new Date(now.getTime() - 1) }, now)).toBe(false);
    expect(isDelegationActive({ ...base, validUntil: null }, now)).toBe(true);
  });

  it('explains a window that cannot work', () => {
    expect(
      delegationWindowProblem({ validFrom: now, validUntil: new Date(now.getTime() - day) }, now),
    ).toMatch(/after validFrom/);
    expect(delegationWindowProblem({ validFrom: now, validUntil: null }, now)).toBeUndefined();
  });
});

describe('upstream fiscal-code claim', () => {
  it('strips the SPID TINIT- prefix and validates the code', () => {
    expect(fiscalCodeFromUpstreamClaim('TINIT-RSSMRA80A01H501U')).toBe('RSSMRA80A01H501U');
    expect(fiscalCodeFromUpstreamClaim('rssmra80a01h501u')).toBe('RSSMRA80A01H501U');
    expect(fiscalCodeFromUpstreamClaim('TINIT-RSSMRA80A01H501X')).toBeUndefined();
    expect(fiscalCodeFromUpstreamClaim(undefined)).toBeUndefined();
  });
});
