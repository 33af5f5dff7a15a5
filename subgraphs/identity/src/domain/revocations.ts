import type { EntityManager, Revocation } from '@sportello/platform';
import { ApiClientEntity, ConsentGrantEntity } from '../entities/api-client.entity.js';
import { CitizenEntity } from '../entities/citizen.entity.js';
import { DelegationEntity } from '../entities/delegation.entity.js';
import { RefreshTokenEntity } from '../entities/refresh-token.entity.js';
import { StaffMemberEntity } from '../entities/staff-member.entity.js';

/**
 * What ended tokens at or after `since`, in every comune: API clients revoked, grants citizens
 * withdrew from apps, delegations revoked, staff members disabled, citizens signed out everywhere,
 * access tokens of sign-ins revoked (by their `jti`, those issued since `since`, but for those
 * their revoked app's `client-revoked` ends already). Read from the state itself, so the list
 * agrees with it whatever events a reader missed. `em` must be unscoped.
 */
export async function revocationsSince(em: EntityManager, since: Date): Promise<Revocation[]> {
  const [clients, grants, delegations, staff, signedOut, signIns] = await Promise.all([
    em.find(
      ApiClientEntity,
      { revokedAt: { $gte: since } },
      { fields: ['comune', 'clientId', 'firstParty', 'revokedAt'] },
    ),
    em.find(
      ConsentGrantEntity,
      { revokedAt: { $gte: since } },
      { fields: ['comune', 'clientId', 'fiscalCode', 'revokedAt'] },
    ),
    em.find(
      DelegationEntity,
      { revokedAt: { $gte: since } },
      { fields: ['comune', 'delegateFiscalCode', 'delegatorFiscalCode', 'revokedAt'] },
    ),
    em.find(
      StaffMemberEntity,
      { disabledAt: { $gte: since } },
      { fields: ['comune', 'username', 'disabledAt'] },
    ),
    em.find(
      CitizenEntity,
      { signedOutAt: { $gte: since } },
      { fields: ['comune', 'fiscalCode', 'signedOutAt'] },
    ),
    em.find(
      RefreshTokenEntity,
      { revokedAt: { $gte: since }, issuedAt: { $gte: since }, accessTokenId: { $ne: null } },
      { fields: ['comune', 'clientId', 'fiscalCode', 'staffUsername', 'accessTokenId', 'revokedAt'] },
    ),
  ]);
  const revokedClients = new Map(clients.map((client) => [`${client.comune}:${client.clientId}`, client]));
  /** A token its app's `client-revoked` ends already: listed once for the app, not once a token. */
  const endedWithItsApp = (token: (typeof signIns)[number]) => {
    const client = revokedClients.get(`${token.comune}:${token.clientId}`);
    return (
      client !== undefined &&
      (!client.firstParty || (token.fiscalCode == null && token.staffUsername == null))
    );
  };
  return [
    ...clients.map((client): Revocation => ({
      comune: client.comune,
      reason: 'client-revoked',
      revokedAt: (client.revokedAt ?? since).toISOString(),
      clientId: client.clientId,
    })),
    ...grants.map((grant): Revocation => ({
      comune: grant.comune,
      reason: 'grant-revoked',
      revokedAt: (grant.revokedAt ?? since).toISOString(),
      clientId: grant.clientId,
      fiscalCode: grant.fiscalCode,
    })),
    ...delegations.map((delegation): Revocation => ({
      comune: delegation.comune,
      reason: 'delegation-revoked',
      revokedAt: (delegation.revokedAt ?? since).toISOString(),
      fiscalCode: delegation.delegateFiscalCode,
      actsFor: delegation.delegatorFiscalCode,
    })),
    ...staff.map((member): Revocation => ({
      comune: member.comune,
      reason: 'staff-disabled',
      revokedAt: (member.disabledAt ?? since).toISOString(),
      username: member.username,
    })),
    ...signedOut.map((citizen): Revocation => ({
      comune: citizen.comune,
      reason: 'signed-out',
      revokedAt: (citizen.signedOutAt ?? since).toISOString(),
      fiscalCode: citizen.fiscalCode,
    })),
    ...signIns
      .filter((token) => !endedWithItsApp(token))
      .map((token): Revocation => ({
        comune: token.comune,
        reason: 'token-revoked',
        revokedAt: (token.revokedAt ?? since).toISOString(),
        tokenId: token.accessTokenId ?? '',
        clientId: token.clientId,
      })),
  ];
}
