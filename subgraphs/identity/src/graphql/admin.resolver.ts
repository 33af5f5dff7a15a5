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
import { StaffMemberEntity, type StaffMember } from '../entities/staff-member.entity.js';
import { addStaffMember, setStaffEnabled, setStaffOffices } from '../domain/staff.js';
import { actorOf, type IdentityContext } from '../context.js';
import { ApiClientRegistrationType, ApiClientType } from './api-client.type.js';
import { AuditLogPageType } from './audit-entry.type.js';
import { toApiClientType, toAuditEntryType } from './citizen.mapper.js';
import { OfficeEnum, ScopeEnum } from './enums.js';
import {
  AddStaffMemberInput,
  AuditLogFilterInput,
  PageInput,
  RegisterApiClientInput,
} from './inputs.input.js';
import { StaffMemberType } from './staff-member.type.js';

function requireAdmin(ctx: IdentityContext): asserts ctx is IdentityContext & {
  principal: Extract<IdentityContext['principal'], { kind: 'staff' }>;
} {
  requireAuthenticated(ctx.principal);
  if (!isAdmin(ctx.principal))
    throw new ForbiddenError('only admin staff manage API clients and staff, and read the audit log');
}

function toStaffMemberType(member: StaffMember): StaffMemberType {
  return Object.assign(new StaffMemberType(), {
    username: member.username,
    displayName: member.displayName,
    offices: member.offices,
    enabled: member.disabledAt == null,
  });
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

  @Query(() => [StaffMemberType], { description: 'Admin only: the comune’s staff, by username.' })
  async staffMembers(
    @Ctx() ctx: IdentityContext,
    @Arg('includeDisabled', { defaultValue: false, description: 'Also list disabled members.' })
    includeDisabled: boolean,
  ): Promise<StaffMemberType[]> {
    requireAdmin(ctx);
    const members = await ctx.em.find(StaffMemberEntity, includeDisabled ? {} : { disabledAt: null }, {
      orderBy: { username: 'asc' },
    });
    return members.map(toStaffMemberType);
  }

  @Mutation(() => StaffMemberType, {
    description: 'Admin only. The member signs in through the comune’s own provider with this username.',
  })
  async addStaffMember(
    @Arg('input', () => AddStaffMemberInput, { description: 'The member to add.' })
    input: AddStaffMemberInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<StaffMemberType> {
    requireAdmin(ctx);
    return toStaffMemberType(await addStaffMember(ctx.em, ctx.principal.comune, input));
  }

  @Mutation(() => StaffMemberType, {
    description: 'Admin only. Replaces the member’s offices; they apply from the next sign-in.',
  })
  async setStaffOffices(
    @Arg('username', { description: 'The member.' }) username: string,
    @Arg('offices', () => [OfficeEnum], { description: 'Every office the member works in from now on.' })
    offices: string[],
    @Ctx() ctx: IdentityContext,
  ): Promise<StaffMemberType> {
    requireAdmin(ctx);
    return toStaffMemberType(await setStaffOffices(ctx.em, username, offices));
  }

  @Mutation(() => StaffMemberType, {
    description:
      'Admin only. A disabled member can no longer sign in, and the tokens already issued stop working everywhere at once.',
  })
  async setStaffMemberEnabled(
    @Arg('username', { description: 'The member.' }) username: string,
    @Arg('enabled', { description: 'False to disable, true to enable again.' }) enabled: boolean,
    @Ctx() ctx: IdentityContext,
  ): Promise<StaffMemberType> {
    requireAdmin(ctx);
    return toStaffMemberType(await setStaffEnabled(ctx.em, username, enabled, ctx.principal.username));
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
