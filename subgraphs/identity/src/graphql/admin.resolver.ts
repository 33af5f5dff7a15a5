import {
  BadUserInputError,
  ForbiddenError,
  requireAuthenticated,
  SCOPES,
  type Scope,
} from '@sportello/platform';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { registerApiClient, revokeApiClient } from '../domain/api-clients.js';
import { queryAuditLog } from '../domain/audit-log.js';
import { isAdmin } from '../domain/citizen-access.js';
import { ApiClientEntity } from '../entities/api-client.entity.js';
import { actorOf, type IdentityContext } from '../context.js';
import { ApiClientRegistrationType, ApiClientType } from './api-client.type.js';
import { AuditLogPageType } from './audit-entry.type.js';
import { toApiClientType, toAuditEntryType } from './citizen.mapper.js';
import { ScopeEnum } from './enums.js';
import { AuditLogFilterInput, PageInput, RegisterApiClientInput } from './inputs.input.js';

function requireAdmin(ctx: IdentityContext): void {
  requireAuthenticated(ctx.principal);
  if (!isAdmin(ctx.principal))
    throw new ForbiddenError('only admin staff manage API clients and read the audit log');
}

@Resolver()
export class AdminResolver {
  @Query(() => [ScopeEnum], { description: 'Public: the scopes an app can ask a citizen for.' })
  oauthScopes(): Scope[] {
    return [...SCOPES];
  }

  @Query(() => [ApiClientType], { description: 'Admin only.' })
  async apiClients(@Ctx() ctx: IdentityContext): Promise<ApiClientType[]> {
    requireAdmin(ctx);
    const clients = await ctx.em.find(ApiClientEntity, {}, { orderBy: { createdAt: 'asc' } });
    return clients.map(toApiClientType);
  }

  @Mutation(() => ApiClientRegistrationType, {
    description: 'Admin only. The secret is in the answer and nowhere else.',
  })
  async registerApiClient(
    @Arg('input', () => RegisterApiClientInput, { description: 'The application to register.' })
    input: RegisterApiClientInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<ApiClientRegistrationType> {
    requireAdmin(ctx);
    const { client, clientSecret } = await registerApiClient(ctx.em, ctx.principal.comune, input);
    return Object.assign(new ApiClientRegistrationType(), { client: toApiClientType(client), clientSecret });
  }

  @Mutation(() => ApiClientType, {
    description:
      'Admin only. The token endpoint refuses the client from now on and its live tokens stop working here and at the gateway.',
  })
  async revokeApiClient(
    @Arg('clientId', { description: 'Client id of the application.' }) clientId: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<ApiClientType> {
    requireAdmin(ctx);
    return toApiClientType(await revokeApiClient(ctx.em, clientId, await actorOf(ctx)));
  }

  @Query(() => AuditLogPageType, { description: 'Admin only: staff reads of personal data, newest first.' })
  async auditLog(
    @Ctx() ctx: IdentityContext,
    @Arg('filter', () => AuditLogFilterInput, {
      nullable: true,
      description: 'Only entries matching it; every entry when omitted.',
    })
    filter?: AuditLogFilterInput | null,
    @Arg('page', () => PageInput, {
      nullable: true,
      description: 'Which page; the first 50 entries when omitted.',
    })
    page?: PageInput | null,
  ): Promise<AuditLogPageType> {
    requireAdmin(ctx);
    const offset = page?.offset ?? 0;
    const limit = page?.limit ?? 50;
    if (offset < 0) throw new BadUserInputError('offset must not be negative', { field: 'page.offset' });
    if (limit < 1 || limit > 200)
      throw new BadUserInputError('limit must be from 1 to 200', { field: 'page.limit' });
    const { items, totalCount } = await queryAuditLog(ctx.em, filter ?? {}, { offset, limit });
    return Object.assign(new AuditLogPageType(), {
      items: items.map(toAuditEntryType),
      totalCount,
      nextOffset: offset + items.length < totalCount ? offset + items.length : null,
    });
  }
}
