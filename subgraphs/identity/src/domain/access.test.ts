import { describe, expect, it } from 'vitest';
import type { Principal } from '@sportello/platform';
import { canReadCitizen } from './access.js';

const comune = '001272';
const self = 'RSSMRA80A01H501U';
const child = 'RCCMNL83S18D969H';

describe('citizen access policy', () => {
  it('lets an app with the citizen grant read profile but not preferences without the scope', () => {
    const app: Principal = {
      kind: 'client',
      comune,
      clientId: 'app',
      scopes: ['openid', 'profile'],
      onBehalfOf: { fiscalCode: self, actsFor: [child] },
      tokenId: 't',
    };
    expect(canReadCitizen(app, child, 'profile')).toBe(true);
    expect(canReadCitizen(app, self, 'preferences')).toBe(false);
  });

  it('lets the notifier read contacts and preferences but not names', () => {
    const notifier: Principal = { kind: 'service', comune, service: 'notifier', tokenId: 't' };
    expect(canReadCitizen(notifier, self, 'contacts')).toBe(true);
    expect(canReadCitizen(notifier, self, 'preferences')).toBe(true);
    expect(canReadCitizen(notifier, self, 'profile')).toBe(false);
  });

  it('refuses offices that do not need account data', () => {
    const anagrafe: Principal = { kind: 'staff', comune, username: 'a', offices: ['anagrafe'], tokenId: 't' };
    const tributi: Principal = { kind: 'staff', comune, username: 'b', offices: ['tributi'], tokenId: 't' };
    expect(canReadCitizen(anagrafe, self, 'contacts')).toBe(true);
    expect(canReadCitizen(anagrafe, self, 'preferences')).toBe(false);
    expect(canReadCitizen(tributi, self, 'contacts')).toBe(false);
  });
});
