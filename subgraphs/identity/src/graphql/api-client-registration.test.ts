import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentity, type TestIdentity } from '../test-support/harness.js';

const REGISTER = `mutation($input: RegisterApiClientInput!) {
  registerApiClient(input: $input) { client { clientId scopes } }
}`;

let service: TestIdentity;
let admin: string;

beforeAll(async () => {
  service = await startIdentity();
  admin = await service.devToken({ subject: 'admin.neri' });
});
afterAll(() => service?.close());

async function clientNames(): Promise<string[]> {
  const answer = await service.graphql('{ apiClients(first: 100) { nodes { name } } }', { token: admin });
  return (answer.data?.apiClients as { nodes: { name: string }[] }).nodes.map((client) => client.name);
}

describe('registering an API client', () => {
  it('refuses a client with no scope, naming the argument, and registers nothing', async () => {
    const answer = await service.graphql(REGISTER, {
      token: admin,
      variables: { input: { name: 'Senza scopi', scopes: [], redirectUris: ['https://app.example.org/cb'] } },
    });
    expect(answer.data).toBeNull();
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.scopes' });
    expect(answer.errors?.[0]?.message).toContain('scopes must list at least one scope');
    expect(await clientNames()).not.toContain('Senza scopi');
  });

  it('registers a client with a scope', async () => {
    const answer = await service.graphql(REGISTER, {
      token: admin,
      variables: { input: { name: 'Solo accesso', scopes: ['OPENID'], redirectUris: [] } },
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.registerApiClient).toMatchObject({ client: { scopes: ['OPENID'] } });
    expect(await clientNames()).toContain('Solo accesso');
  });
});
