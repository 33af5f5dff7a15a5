import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthenticatedError } from '../errors/client-errors.js';
import { createLogger } from '../logging/logger.js';
import {
  assertCanRead,
  canReadPersonalData,
  requireAuthenticated,
  requireStaff,
  type PersonalDataRule,
} from './access.js';
import { authorizePersonalDataRead, createLoggingAuditSink, createMemoryAuditSink } from './audit.js';
import { type Principal } from './principal.js';

const ROMA = '058091';
const OWNER = 'RSSMRA80A01H501U';
const CHILD = 'RSSMRA80B01F2LRC';
const STRANGER = 'CNTCHR83T41D969D';

const principals: Record<string, Principal> = {
  anonymous: { kind: 'anonymous', comune: ROMA },
  'citizen owner': { kind: 'citizen', comune: ROMA, fiscalCode: OWNER, actsFor: [], tokenId: 't' },
  'citizen acting for owner': {
    kind: 'citizen',
    comune: ROMA,
    fiscalCode: STRANGER,
    actsFor: [CHILD, OWNER],
    tokenId: 't',
  },
  'citizen other': { kind: 'citizen', comune: ROMA, fiscalCode: STRANGER, actsFor: [CHILD], tokenId: 't' },
  'app for owner, scope anagrafe': {
    kind: 'client',
    comune: ROMA,
    clientId: 'app',
    scopes: ['openid', 'anagrafe'],
    onBehalfOf: { fiscalCode: OWNER, actsFor: [] },
    tokenId: 't',
  },
  'app for someone acting for owner, scopes anagrafe+tributi': {
    kind: 'client',
    comune: ROMA,
    clientId: 'app',
    scopes: ['anagrafe', 'tributi'],
    onBehalfOf: { fiscalCode: STRANGER, actsFor: [OWNER] },
    tokenId: 't',
  },
  'app for other, all scopes': {
    kind: 'client',
    comune: ROMA,
    clientId: 'app',
    scopes: ['anagrafe', 'tributi', 'practices'],
    onBehalfOf: { fiscalCode: STRANGER, actsFor: [CHILD] },
    tokenId: 't',
  },
  'app with client credentials, all scopes': {
    kind: 'client',
    comune: ROMA,
    clientId: 'app',
    scopes: ['anagrafe', 'tributi', 'practices'],
    tokenId: 't',
  },
  'staff anagrafe': { kind: 'staff', comune: ROMA, username: 'a', offices: ['anagrafe'], tokenId: 't' },
  'staff tributi': { kind: 'staff', comune: ROMA, username: 'b', offices: ['tributi'], tokenId: 't' },
  'staff admin': { kind: 'staff', comune: ROMA, username: 'c', offices: ['admin'], tokenId: 't' },
  'staff anagrafe+admin': {
    kind: 'staff',
    comune: ROMA,
    username: 'd',
    offices: ['anagrafe', 'admin'],
    tokenId: 't',
  },
  'service notifier': { kind: 'service', comune: ROMA, service: 'notifier', tokenId: 't' },
  'service practices': { kind: 'service', comune: ROMA, service: 'practices', tokenId: 't' },
};

const rules: PersonalDataRule[] = [
  {},
  { scope: 'anagrafe', office: 'anagrafe' },
  { office: ['tributi', 'admin'] },
  { scope: 'tributi', service: 'notifier' },
];

/** Rows: principals above; columns: the rules above, in order. */
const expected: Record<string, [boolean, boolean, boolean, boolean]> = {
  anonymous: [false, false, false, false],
  'citizen owner': [true, true, true, true],
  'citizen acting for owner': [true, true, true, true],
  'citizen other': [false, false, false, false],
  'app for owner, scope anagrafe': [false, true, false, false],
  'app for someone acting for owner, scopes anagrafe+tributi': [false, true, false, true],
  'app for other, all scopes': [false, false, false, false],
  'app with client credentials, all scopes': [false, false, false, false],
  'staff anagrafe': [false, true, false, false],
  'staff tributi': [false, false, true, false],
  'staff admin': [false, false, true, false],
  'staff anagrafe+admin': [false, true, true, false],
  'service notifier': [false, false, false, true],
  'service practices': [false, false, false, false],
};

const cells = Object.entries(expected).flatMap(([name, row]) =>
  row.map((allowed, column) => [name, JSON.stringify(rules[column]), column, allowed] as const),
);

describe('canReadPersonalData', () => {
  it('covers every principal of the matrix', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(principals).sort());
  });

  it.each(cells)('%s with rule %s (column %i) may read: %s', (name, _rule, column, allowed) => {
    expect(canReadPersonalData(principals[name]!, OWNER, rules[column])).toBe(allowed);
  });

  it('compares fiscal codes regardless of case and spaces', () => {
    expect(canReadPersonalData(principals['citizen owner']!, ` ${OWNER.toLowerCase()} `)).toBe(true);
  });
});

describe('assertCanRead', () => {
  it('asks an anonymous caller to sign in', () => {
    expect(() => assertCanRead(principals.anonymous!, OWNER)).toThrow(UnauthenticatedError);
  });

  const refusal = (principal: Principal, rule: PersonalDataRule) => {
    try {
      assertCanRead(principal, OWNER, rule);
    } catch (caught) {
      expect(caught).toBeInstanceOf(ForbiddenError);
      expect((caught as Error).message).not.toContain(OWNER);
      return (caught as ForbiddenError).extensions;
    }
    throw new Error('not refused');
  };

  it('forbids a signed-in caller without revealing anything about the owner', () => {
    expect(refusal(principals['citizen other']!, { office: 'anagrafe', scope: 'anagrafe' })).toEqual({
      code: 'FORBIDDEN',
      reason: 'NOT_ALLOWED',
    });
    // An app for someone else is not told which scope would have helped: nothing would.
    expect(refusal(principals['app for other, all scopes']!, { scope: 'anagrafe' })).toEqual({
      code: 'FORBIDDEN',
      reason: 'NOT_ALLOWED',
    });
  });

  it('names what the caller lacks when that reveals nothing: the scope an app must ask for, the offices', () => {
    expect(refusal(principals['app for owner, scope anagrafe']!, { scope: 'tributi' })).toEqual({
      code: 'FORBIDDEN',
      reason: 'SCOPE_REQUIRED',
      scope: 'tributi',
    });
    expect(refusal(principals['staff tributi']!, { office: ['anagrafe', 'civil-protection'] })).toEqual({
      code: 'FORBIDDEN',
      reason: 'OFFICE_REQUIRED',
      offices: ['anagrafe', 'civil-protection'],
    });
  });

  it('lets an allowed caller through', () => {
    expect(() => assertCanRead(principals['staff anagrafe']!, OWNER, { office: 'anagrafe' })).not.toThrow();
  });
});

describe('requireStaff and requireAuthenticated', () => {
  it('returns the staff principal of a listed office', () => {
    expect(requireStaff(principals['staff anagrafe+admin']!, ['admin'])).toBe(
      principals['staff anagrafe+admin'],
    );
    expect(requireStaff(principals['staff tributi']!)).toBe(principals['staff tributi']);
  });

  it('rejects other offices, other kinds and anonymous callers', () => {
    expect(() => requireStaff(principals['staff tributi']!, 'anagrafe')).toThrow(
      'Only staff of anagrafe can do this.',
    );
    expect(() => requireStaff(principals['citizen owner']!)).toThrow(ForbiddenError);
    expect(() => requireStaff(principals.anonymous!, 'anagrafe')).toThrow(UnauthenticatedError);
  });

  it('requireAuthenticated lets any signed-in principal through', () => {
    for (const [name, principal] of Object.entries(principals)) {
      if (name === 'anonymous') expect(() => requireAuthenticated(principal)).toThrow(UnauthenticatedError);
      else expect(() => requireAuthenticated(principal)).not.toThrow();
    }
  });
});

describe('authorizePersonalDataRead', () => {
  const read = {
    office: 'anagrafe' as const,
    scope: 'anagrafe' as const,
    action: 'read',
    resource: 'Resident.address',
  };

  it('audits staff reads', async () => {
    const audit = createMemoryAuditSink();
    await authorizePersonalDataRead({ principal: principals['staff anagrafe']!, audit }, OWNER, read);
    expect(audit.entries).toEqual([
      {
        actor: 'staff:a',
        action: 'read',
        resource: 'Resident.address',
        subjectFiscalCode: OWNER,
        comune: ROMA,
        at: expect.any(Date),
        staff: { username: 'a', offices: ['anagrafe'] },
      },
    ]);
  });

  it('does not audit a citizen reading their own data, and records nothing for a refused read', async () => {
    const audit = createMemoryAuditSink();
    await authorizePersonalDataRead({ principal: principals['citizen owner']!, audit }, OWNER, read);
    await expect(
      authorizePersonalDataRead({ principal: principals['staff tributi']!, audit }, OWNER, read),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(audit.entries).toEqual([]);
  });

  it('fails the read when the audit log fails', async () => {
    const audit = {
      record: async () => {
        throw new Error('audit store unavailable');
      },
    };
    await expect(
      authorizePersonalDataRead({ principal: principals['staff anagrafe']!, audit }, OWNER, read),
    ).rejects.toThrow('audit store unavailable');
  });

  it('the logging sink writes the entry with the fiscal code masked', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      name: 'anagrafe',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    });
    await authorizePersonalDataRead(
      { principal: principals['staff anagrafe']!, audit: createLoggingAuditSink(logger) },
      OWNER,
      read,
    );
    const record = JSON.parse(lines.join('')) as { audit: Record<string, string>; msg: string };
    expect(record.msg).toBe('personal data read');
    expect(record.audit).toMatchObject({
      actor: 'staff:a',
      resource: 'Resident.address',
      subject: 'RSS***********1U',
    });
    expect(lines.join('')).not.toContain(OWNER);
  });
});
