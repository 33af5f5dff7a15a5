import { describe, expect, it } from 'vitest';
import type { Principal } from '@sportello/platform';
import { decideCitizenAccess } from './citizen-access.js';

const comune = '001272';
const self = 'RSSMRA80A01H501U';
const child = 'RCCMNL83S18D969H';

describe('citizen access policy', () => {
  it('lets a client with the citizen grant read profile but not preferences without the scope', () => {
    const app: Principal = {
      kind: 'client',
      comune,
      clientId: 'app',
      scopes: ['openid', 'profile'],
      onBehalfOf: { fiscalCode: self, actsFor: [child] },
      tokenId: 't',
    };
    expect(decideCitizenAccess(app, child, 'profile')).toEqual({ allowed: true, audit: false });
    expect(decideCitizenAccess(app, self, 'preferences')).toMatchObject({ allowed: false });
  });

  it('audits staff reads and refuses offices that do not need the data', () => {
    const anagrafe: Principal = { kind: 'staff', comune, username: 'a', offices: ['anagrafe'], tokenId: 't' };
    const tributi: Principal = { kind: 'staff', comune, username: 'b', offices: ['tributi'], tokenId: 't' };
    expect(decideCitizenAccess(anagrafe, self, 'contacts')).toEqual({ allowed: true, audit: true });
    expect(decideCitizenAccess(tributi, self, 'contacts')).toMatchObject({ allowed: false });
  });

  it('never names the subject in a refusal', () => {
    const other: Principal = { kind: 'citizen', comune, fiscalCode: child, actsFor: [], tokenId: 't' };
    const decision = decideCitizenAccess(other, self, 'profile');
    expect(decision.allowed).toBe(false);
    expect(JSON.stringify(decision)).not.toContain(self);
  });
});
