import { describe, expect, it } from 'vitest';
import { createInternalAssertions, InternalAssertionError } from './internal-assertion.js';

const SECRET = 'a-deployment-secret-of-at-least-32-chars';

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof InternalAssertionError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('internal assertions', () => {
  it("prove a call comes from the deployment's gateway or services, naming the caller", () => {
    const gateway = createInternalAssertions({ secret: SECRET, caller: 'gateway' });
    const anagrafe = createInternalAssertions({ secret: SECRET, caller: 'anagrafe' });
    expect(anagrafe.verify(gateway.current())).toEqual({ caller: 'gateway' });
    expect(gateway.headers()).toEqual({ 'x-sportello-internal': gateway.current() });
  });

  it('refuses a missing, forged or tampered assertion, and one of another deployment', () => {
    const service = createInternalAssertions({ secret: SECRET, caller: 'tributi' });
    const elsewhere = createInternalAssertions({ secret: `${SECRET}-other`, caller: 'gateway' });
    expect(refusal(() => service.verify(undefined))).toBe('INTERNAL_ASSERTION_REQUIRED');
    expect(refusal(() => service.verify(''))).toBe('INTERNAL_ASSERTION_REQUIRED');
    expect(refusal(() => service.verify(elsewhere.current()))).toBe('INTERNAL_ASSERTION_INVALID');
    expect(refusal(() => service.verify('a.b.c'))).toBe('INTERNAL_ASSERTION_INVALID');
    // The caller's name changed after signing (of an assertion already accepted as it was): the
    // signature no longer holds.
    expect(service.verify(service.current())).toEqual({ caller: 'tributi' });
    const [header, payload, signature] = service.current().split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const renamed = Buffer.from(JSON.stringify({ ...claims, iss: 'attacker' })).toString('base64url');
    expect(refusal(() => service.verify(`${header}.${renamed}.${signature}`))).toBe(
      'INTERNAL_ASSERTION_INVALID',
    );
    // A bearer token is no assertion.
    expect(refusal(() => service.verify('Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig'))).toBe(
      'INTERNAL_ASSERTION_INVALID',
    );
  });

  it('expires after its lifetime, and the signer renews it before then', () => {
    let now = Date.parse('2026-12-07T10:00:00Z');
    const signer = createInternalAssertions({ secret: SECRET, caller: 'gateway', now: () => now });
    const first = signer.current();
    now += 20_000;
    expect(signer.current()).toBe(first);
    now += 15_000;
    const renewed = signer.current();
    expect(renewed).not.toBe(first);

    const checker = createInternalAssertions({ secret: SECRET, caller: 'identity', now: () => now });
    expect(checker.verify(first)).toEqual({ caller: 'gateway' });
    now += 60_000;
    expect(refusal(() => checker.verify(first))).toBe('INTERNAL_ASSERTION_EXPIRED');
    expect(checker.verify(renewed)).toEqual({ caller: 'gateway' });
  });

  it('refuses a secret too short to be one', () => {
    expect(() => createInternalAssertions({ secret: 'short', caller: 'gateway' })).toThrow(/at least 32/);
  });
});
