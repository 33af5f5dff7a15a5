import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { startHub, type RunningHub } from './support/running-hub.js';

/**
 * Bad input is the client's to fix: each class of it, sent through the gateway as an app would,
 * comes back as a 400 or `BAD_USER_INPUT` naming the problem, never as our internal error.
 */
describe('client errors stay client errors', () => {
  let hub: RunningHub;
  let citizen: string;
  let base: string;

  beforeAll(async () => {
    hub = await startHub('embedded', { households: 30 });
    citizen = (await devToken(hub.identity, { kind: 'citizen' })).access_token;
    base = hub.api.replace(/\/graphql$/, '');
  }, 330_000);

  afterAll(async () => {
    await hub?.stop();
  }, 90_000);

  const firstError = (answer: {
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  }) => answer.errors?.[0];

  it.each([
    {
      name: 'a fiscal code with a wrong check character, as a variable',
      query: 'query ($fc: FiscalCode!) { citizen(fiscalCode: $fc) { givenName } }',
      variables: { fc: 'RSSMRA80A01H501X' },
      reason: /check/i,
    },
    {
      name: 'a fiscal code written in the document',
      query: '{ citizen(fiscalCode: "ABC") { givenName } }',
      variables: {},
      reason: /fiscal code/i,
    },
    {
      name: 'a pagoPA notice number whose check digits do not match',
      query: 'query ($n: NoticeNumber!) { paymentNotice(noticeNumber: $n) { id } }',
      variables: { n: '301000000000000195' },
      reason: /check digits/i,
    },
    {
      name: 'a date-time that does not exist',
      query: 'query ($after: DateTimeISO) { alerts(issuedAfter: $after) { nodes { id } } }',
      variables: { after: '2026-13-45T00:00:00Z' },
      reason: /DateTimeISO|date/i,
    },
    {
      name: 'a nested input value',
      query: 'mutation ($input: CreateDelegationInput!) { createDelegation(input: $input) { id } }',
      variables: {
        input: { delegator: 'NOT-A-CODE', delegate: 'RSSMRA80A01H501U', kind: 'DELEGATING_ADULT' },
      },
      reason: /delegator/,
    },
  ])('refuses $name as BAD_USER_INPUT with the reason', async ({ query, variables, reason }) => {
    const answer = await graphql(hub.api, query, { token: citizen, variables });
    const error = firstError(answer)!;
    expect(error.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(reason);
    expect(error.message).not.toMatch(/internal server error/i);
  });

  it('refuses a malformed x-comune with 400, naming the header', async () => {
    const answer = await graphql(hub.api, '{ activeAlerts { nodes { id } } }', {
      headers: { 'x-comune': 'abc' },
    });
    expect(answer.status).toBe(400);
    expect(firstError(answer)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'x-comune' });
  });

  it('refuses the NUL character in a string, wherever it is, before any service sees it', async () => {
    const inVariables = await graphql(
      hub.api,
      'mutation ($input: FileReportInput!) { fileReport(input: $input) { id } }',
      {
        token: citizen,
        variables: {
          input: { category: 'road', description: 'Buca\u0000profonda', latitude: 44.4, longitude: 8.9 },
        },
      },
    );
    expect(inVariables.status).toBe(400);
    expect(firstError(inVariables)?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: 'variables.input.description',
    });
    const inDocument = await graphql(hub.api, '{ practiceType(code: "a\\u0000b") { code } }');
    expect(inDocument.status).toBe(400);
    expect(firstError(inDocument)?.message).toMatch(/NUL/);
  });

  it('refuses variables nested thousands deep with 400, and keeps serving', async () => {
    // Written by hand: JSON.stringify itself cannot go that deep.
    const deep = `${'{"a":'.repeat(5_000)}"x"${'}'.repeat(5_000)}`;
    const response = await fetch(hub.api, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"query ($v: String) { activeAlerts { nodes { id } } }","variables":{"v":${deep}}}`,
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]?.message).toMatch(/nest deeper than 32/);
    const fine = await graphql(hub.api, '{ activeAlerts { nodes { id } } }');
    expect(fine.status).toBe(200);
  });

  it('refuses an automatic persisted query whose hash does not match its document', async () => {
    const response = await fetch(hub.api, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ activeAlerts { nodes { id } } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
      }),
    });
    const body = (await response.json()) as {
      errors: Array<{ message: string; extensions: { code: string } }>;
    };
    expect(response.status).toBe(400);
    expect(body.errors[0]?.extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(body.errors[0]?.message).toMatch(/hash|sha/i);
  });

  it('answers a feed asked for a malformed comune with 400, not 500', async () => {
    const feed = await fetch(`${base}/feeds/alerts.atom?comune=abc`);
    expect(feed.status).toBe(400);
    expect(await feed.text()).toMatch(/ISTAT/);
  });
});
