import { type Principal } from '@sportello/platform';
import { type EventEnvelope } from '@sportello/schema';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { sportelloSubscriptionBindings } from './sportello-bindings.js';

const COMUNE = '004078';
const OTHER_COMUNE = '058091';
const APPLICANT = 'RSSMRA80A01D205X';
const CHILD = 'RSSGNN15C41D205B';
const STRANGER = 'BNCLRA75E45D205K';

const bindings = sportelloSubscriptionBindings();
const staff = (...offices: Array<'practices' | 'tributi' | 'anagrafe'>): Principal => ({
  kind: 'staff',
  comune: COMUNE,
  username: 'ops',
  offices,
  tokenId: 't1',
});
const citizen = (fiscalCode: string, actsFor: string[] = []): Principal => ({
  kind: 'citizen',
  comune: COMUNE,
  fiscalCode,
  actsFor,
  tokenId: 't2',
});
const anonymous = (comune = ''): Principal => ({ kind: 'anonymous', comune });

function event(type: string, data: Record<string, unknown>, comune = COMUNE): EventEnvelope {
  return {
    id: '0190a6f4-0000-7000-8000-000000000001',
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    comune,
    subject: 'x',
    actor: { kind: 'system', id: 'test' },
    data,
  } as EventEnvelope;
}

const statusChanged = (to: string, applicant = APPLICANT, office = 'practices', comune = COMUNE) =>
  event(
    'practice.status-changed',
    { practiceId: 'pr_1', typeCode: 't', office, applicantFiscalCode: applicant, from: 'draft', to },
    comune,
  );

function refusalOf(field: string, args: Record<string, unknown>, principal: Principal): unknown {
  try {
    bindings[field]!.admit?.({ args, principal });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return (error as GraphQLError).extensions['code'];
  }
}

describe('Sportello subscription bindings', () => {
  it('lets only staff of the office follow its practices, refusing others when they subscribe', () => {
    const office = { office: 'practices' };
    expect(refusalOf('practiceChanged', office, staff('practices'))).toBeUndefined();
    expect(refusalOf('practiceChanged', office, staff('tributi'))).toBe('FORBIDDEN');
    expect(refusalOf('practiceChanged', office, citizen(APPLICANT))).toBe('FORBIDDEN');
    expect(refusalOf('practiceChanged', office, anonymous())).toBe('UNAUTHENTICATED');
    expect(refusalOf('practiceChanged', { office: 'bakery' }, staff('practices'))).toBe('BAD_USER_INPUT');
  });

  it("passes staff the events of their office's practices in their comune, drafts excluded", () => {
    const binding = bindings['practiceChanged']!;
    const request = { args: { office: 'practices' }, principal: staff('practices') };
    expect(binding.subjects(request)).toEqual([`sportello.${COMUNE}.practices.practice.status-changed`]);
    expect(binding.authorize(statusChanged('submitted'), request)).toBe(true);
    expect(binding.authorize(statusChanged('draft'), request)).toBe(false);
    expect(binding.authorize(statusChanged('submitted', APPLICANT, 'suap'), request)).toBe(false);
    expect(binding.authorize(statusChanged('submitted', APPLICANT, 'practices', OTHER_COMUNE), request)).toBe(
      false,
    );
    expect(binding.lookup(statusChanged('submitted'), request)).toEqual({
      field: 'practice',
      args: { id: 'pr_1' },
    });
  });

  it('passes a citizen the changes of their own practices and those of people they act for, nobody else’s', () => {
    const binding = bindings['myPracticeChanged']!;
    expect(refusalOf('myPracticeChanged', {}, staff('practices'))).toBe('FORBIDDEN');
    const parent = { args: {}, principal: citizen(APPLICANT, [CHILD]) };
    const stranger = { args: {}, principal: citizen(STRANGER) };
    expect(binding.authorize(statusChanged('registered'), parent)).toBe(true);
    expect(binding.authorize(statusChanged('registered', CHILD), parent)).toBe(true);
    expect(binding.authorize(statusChanged('registered'), stranger)).toBe(false);

    // Filed by the parent for the child: the child hears of the submission, the parent already did.
    const submitted = event('practice.submitted', {
      practiceId: 'pr_2',
      typeCode: 't',
      office: 'practices',
      applicantFiscalCode: APPLICANT,
      protocolNumber: null,
      onBehalfOfFiscalCode: CHILD,
    });
    expect(binding.authorize(submitted, { args: {}, principal: citizen(CHILD) })).toBe(true);
    expect(binding.authorize(submitted, parent)).toBe(false);
    expect(binding.authorize(submitted, stranger)).toBe(false);

    // Later changes of that practice reach the person it is for as well as the applicant.
    const accepted = event('practice.status-changed', {
      practiceId: 'pr_2',
      typeCode: 't',
      office: 'practices',
      applicantFiscalCode: APPLICANT,
      onBehalfOfFiscalCode: CHILD,
      from: 'processing',
      to: 'accepted',
    });
    expect(binding.authorize(accepted, { args: {}, principal: citizen(CHILD) })).toBe(true);
    expect(binding.authorize(accepted, parent)).toBe(true);
    expect(binding.authorize(accepted, stranger)).toBe(false);
  });

  it('passes payments to tributi staff and to the payer only', () => {
    const binding = bindings['paymentReceived']!;
    expect(refusalOf('paymentReceived', {}, staff('practices'))).toBe('FORBIDDEN');
    const paid = event('payment.received', {
      positionId: 'pp_1',
      noticeNumber: '301000000000000042',
      amountCents: 1000,
      payerFiscalCode: APPLICANT,
      paidAt: new Date().toISOString(),
    });
    expect(binding.authorize(paid, { args: {}, principal: staff('tributi') })).toBe(true);
    expect(binding.authorize(paid, { args: {}, principal: citizen(APPLICANT) })).toBe(true);
    expect(binding.authorize(paid, { args: {}, principal: citizen(STRANGER) })).toBe(false);
  });

  it('passes public alerts to anyone, of the comune they named (every comune when they named none)', () => {
    const binding = bindings['alertChanged']!;
    expect(refusalOf('alertChanged', {}, anonymous())).toBeUndefined();
    const issued = event('alert.issued', { alertId: 'al_1' }, OTHER_COMUNE);
    expect(binding.subjects({ args: {}, principal: anonymous() })).toContain(
      'sportello.*.civil-protection.alert.issued',
    );
    expect(binding.authorize(issued, { args: {}, principal: anonymous() })).toBe(true);
    expect(binding.authorize(issued, { args: {}, principal: anonymous(COMUNE) })).toBe(false);
    expect(binding.authorize(issued, { args: {}, principal: citizen(APPLICANT) })).toBe(false);
    // Resolved in the event's comune, whatever the subscriber named.
    expect(binding.lookup(issued, { args: {}, principal: anonymous() })).toEqual({
      field: 'alert',
      args: { id: 'al_1' },
      comune: OTHER_COMUNE,
    });
  });
});
