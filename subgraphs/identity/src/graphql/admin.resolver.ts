import {
  ConnectionArgs,
  findConnection,
  requireStaff,
  SCOPES,
  type Connection,
  type Scope,
} from '@sportello/platform';
import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { registerApiClient, revokeApiClient } from '../domain/api-clients.js';
import { auditLogWhere } from '../domain/audit-log.js';
import { AuditEntryEntity } from '../entities/audit-entry.entity.js';
import { ApiClientEntity } from '../entities/api-client.entity.js';
import { StaffMemberEntity, type StaffMember } from '../entities/staff-member.entity.js';
import { addStaffMember, setStaffEnabled, setStaffOffices } from '../domain/staff.js';
import { actorOf, type IdentityContext } from '../context.js';
import { ApiClientConnectionType, ApiClientRegistrationType, ApiClientType } from './api-client.type.js';
import { AuditEntryConnectionType, type AuditEntryType } from './audit-entry.type.js';
import { toApiClientType, toAuditEntryType } from './citizen.mapper.js';
import { OfficeEnum, ScopeEnum } from './enums.js';
import { AddStaffMemberInput, AuditLogFilterInput, RegisterApiClientInput } from './inputs.input.js';
import { StaffMemberConnectionType, StaffMemberType } from './staff-member.type.js';

function requireAdmin(ctx: IdentityContext): asserts ctx is IdentityContext & {
  principal: Extract<IdentityContext['principal'], { kind: 'staff' }>;
} {
  // FORBIDDEN with reason OFFICE_REQUIRED and `offices: ["admin"]`, as the guide promises.
  requireStaff(ctx.principal, 'admin');
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

  @Query(() => ApiClientConnectionType, { description: 'Admin only: the registered apps, oldest first.' })
  async apiClients(
    @Ctx() ctx: IdentityContext,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<ApiClientType>> {
    requireAdmin(ctx);
    return findConnection(
      ctx.em,
      ApiClientEntity,
      {},
      {
        order: [
          ['createdAt', 'asc'],
          ['id', 'asc'],
        ],
        first,
        after,
        toNode: toApiClientType,
      },
    );
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

  @Query(() => StaffMemberConnectionType, { description: 'Admin only: the comune’s staff, by username.' })
  async staffMembers(
    @Ctx() ctx: IdentityContext,
    @Arg('includeDisabled', { defaultValue: false, description: 'Also list disabled members.' })
    includeDisabled: boolean,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<StaffMemberType>> {
    requireAdmin(ctx);
    return findConnection(ctx.em, StaffMemberEntity, includeDisabled ? {} : { disabledAt: null }, {
      order: [['username', 'asc']],
      first,
      after,
      toNode: toStaffMemberType,
    });
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

  @Query(() => AuditEntryConnectionType, {
    description: 'Admin only: staff reads of personal data, newest first.',
  })
  async auditLog(
    @Ctx() ctx: IdentityContext,
    @Arg('filter', () => AuditLogFilterInput, {
      nullable: true,
      description: 'Only entries matching it; every entry when omitted.',
    })
    filter: AuditLogFilterInput | null,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<AuditEntryType>> {
    requireAdmin(ctx);
    return findConnection(ctx.em, AuditEntryEntity, auditLogWhere(filter ?? {}), {
      // Newest first; the id breaks ties between entries of one request.
      order: [
        ['at', 'desc'],
        ['id', 'desc'],
      ],
      first,
      after,
      toNode: toAuditEntryType,
    });
  }
}
