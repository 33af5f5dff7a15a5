import {
  auditPersonalDataRead,
  BadUserInputError,
  ConnectionArgs,
  DEFAULT_PAGE_SIZE,
  withNodes,
  type Connection,
  ForbiddenError,
  requireAuthenticated,
  requireStaff,
} from '@sportello/platform';
import type { DocumentKind } from '@sportello/schema';
import { Arg, Args, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf, ANAGRAFE_OFFICE, type AnagrafeContext } from '../context.js';
import { registerResident, type NewResident } from '../domain/resident-operations.js';
import { CitizenType } from './citizen.type.js';
import { recordIdentityDocument } from '../domain/document-operations.js';
import { RECORD_RULES } from '../domain/access.js';
import { residentsInZones, searchResidents, ZONE_PAGE_MAX } from '../domain/residents.js';
import { toIdentityDocumentType } from './document.mapper.js';
import { IdentityDocumentType } from './document.type.js';
import { IdentityDocumentInput, NewResidentInput } from './inputs.input.js';
import { toResidentSummary } from './resident.mapper.js';
import {
  ResidentSummaryConnectionType,
  type ResidentSummaryType,
  ZoneResidentConnectionType,
  type ZoneResidentType,
} from './resident.type.js';

@Resolver()
export class RegistryResolver {
  @Query(() => ResidentSummaryConnectionType, {
    description:
      'Anagrafe staff: residents whose name or address contains every word of `query`, or the person with that ' +
      'fiscal code, by name. Every resident returned is recorded in the audit log.',
  })
  async searchResidents(
    @Ctx() ctx: AnagrafeContext,
    @Arg('query', { description: 'Words to find in the name or address, or a fiscal code.' }) query: string,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<ResidentSummaryType>> {
    requireStaff(ctx.principal, ANAGRAFE_OFFICE);
    if (query.trim().length < 2)
      throw new BadUserInputError('query: at least 2 characters', { field: 'query' });
    const page = await searchResidents(ctx.em, query, { first, after });
    for (const resident of page.nodes) {
      await auditPersonalDataRead(ctx, resident.fiscalCode, {
        action: 'search',
        resource: 'Query.searchResidents',
      });
    }
    return withNodes(page, page.nodes.map(toResidentSummary));
  }

  @Query(() => ZoneResidentConnectionType, {
    description:
      'Fiscal codes of the residents of the given zones (all residents when zones is null), by fiscal code, for the notifier (service principal) and ' +
      'civil-protection or anagrafe staff. Page with `after: pageInfo.endCursor` until hasNextPage is false. The one exception to the ' +
      `page limit: up to ${ZONE_PAGE_MAX} residents a page, so an alert reaches its recipients in few reads; each cursor is the fiscal code of its resident.`,
  })
  async residentsInZones(
    @Ctx() ctx: AnagrafeContext,
    @Arg('zones', () => [String], {
      nullable: true,
      description: 'Zone codes (civil protection’s); null for every resident of the comune.',
    })
    zones: string[] | null | undefined,
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: DEFAULT_PAGE_SIZE,
      description: `How many residents to return, 1 to ${ZONE_PAGE_MAX}.`,
    })
    first: number | null,
    @Arg('after', () => String, {
      nullable: true,
      description:
        'Cursor: pageInfo.endCursor of the previous page (the fiscal code of its last resident); omit for the first page.',
    })
    after?: string | null,
  ): Promise<Connection<ZoneResidentType>> {
    requireAuthenticated(ctx.principal);
    // An omitted argument arrives as undefined: it means every resident, like an explicit null.
    zones ??= null;
    const rule = RECORD_RULES.zone;
    const principal = ctx.principal;
    const allowed =
      (principal.kind === 'service' && principal.service === rule.service) ||
      (principal.kind === 'staff' &&
        principal.offices.some((office) => (rule.office as readonly string[]).includes(office)));
    if (!allowed) {
      throw new ForbiddenError(
        'Only the notifier and civil-protection or anagrafe staff list the residents of zones.',
        {
          reason: 'NOT_ALLOWED',
        },
      );
    }
    if (
      zones !== null &&
      (zones.length === 0 ||
        zones.length > 100 ||
        zones.some((zone) => zone.trim() === '' || zone.length > 50))
    ) {
      throw new BadUserInputError('zones: 1 to 100 zone codes of up to 50 characters', { field: 'zones' });
    }
    if (after !== undefined && after !== null && !/^[A-Z0-9]{16}$/.test(after)) {
      throw new BadUserInputError('after is not a cursor of this list', { field: 'after' });
    }
    const page = await residentsInZones(ctx.em, zones, first, after ?? null);
    for (const resident of page.nodes) {
      await auditPersonalDataRead(ctx, resident.fiscalCode, {
        action: 'read',
        resource: 'Query.residentsInZones',
      });
    }
    return page;
  }

  @Mutation(() => IdentityDocumentType, {
    description:
      'Anagrafe staff: records an identity document issued to a resident. A CIE’s expiry follows from the age at ' +
      'issue; a paper card needs its printed date (it stops being valid on 2026-08-03 anyway).',
  })
  async recordIdentityDocument(
    @Ctx() ctx: AnagrafeContext,
    @Arg('input', () => IdentityDocumentInput, { description: 'The document issued.' })
    input: IdentityDocumentInput,
  ): Promise<IdentityDocumentType> {
    requireStaff(ctx.principal, ANAGRAFE_OFFICE);
    const document = await recordIdentityDocument(
      ctx.em,
      ctx.comune,
      { ...input, kind: input.kind as DocumentKind },
      ctx.today,
      ctx.now,
    );
    return toIdentityDocumentType(document, ctx.today);
  }

  @Mutation(() => CitizenType, {
    description:
      'Anagrafe staff: registers a new resident (birth, immigration, move from another comune); the zone comes ' +
      'from the street register. Emits resident.registered.',
  })
  async registerResident(
    @Ctx() ctx: AnagrafeContext,
    @Arg('input', () => NewResidentInput, { description: 'The person to register.' }) input: NewResidentInput,
  ): Promise<CitizenType> {
    requireStaff(ctx.principal, ANAGRAFE_OFFICE);
    if (input.sex !== 'F' && input.sex !== 'M') throw new BadUserInputError('sex: F or M', { field: 'sex' });
    const resident = await registerResident(
      ctx.em,
      ctx.comune,
      { ...input, sex: input.sex } as NewResident,
      await actorOf(ctx),
      ctx.today,
      ctx.now,
    );
    return Object.assign(new CitizenType(), { fiscalCode: resident.fiscalCode });
  }
}
