import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RegistryFamily } from '../domain/family-registry.js';

/**
 * A stand-in for anagrafe's GraphQL endpoint on loopback, answering the federation entity fetch of
 * `Citizen.family` identity makes (`_entities` with a `Citizen` representation), for the families
 * given. Like anagrafe, it answers only a `service` token of identity.
 */
export async function startFakeAnagrafe(families: RegistryFamily[]): Promise<{
  url: string;
  /** Fiscal codes asked for, in order. */
  asked: string[];
  close(): Promise<void>;
}> {
  const asked: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (body: unknown) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}') as {
        kind?: string;
        sub?: string;
      };
      if (claims.kind !== 'service' || claims.sub !== 'identity') {
        reply({ data: null, errors: [{ message: 'not allowed', extensions: { code: 'FORBIDDEN' } }] });
        return;
      }
      const { variables } = JSON.parse(Buffer.concat(chunks).toString()) as {
        variables: { representations: Array<{ fiscalCode: string }> };
      };
      reply({
        data: {
          _entities: variables.representations.map(({ fiscalCode }) => {
            asked.push(fiscalCode);
            const family = families.find((entry) => entry.members.some((m) => m.fiscalCode === fiscalCode));
            return { family: family ?? null };
          }),
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
