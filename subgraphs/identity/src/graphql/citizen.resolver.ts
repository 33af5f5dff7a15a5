import {
  BadUserInputError,
  ForbiddenError,
  requireAuthenticated,
  scopeRequired,
  UnauthenticatedError,
  type Scope,
} from '@sportello/platform';
import { GraphQLFiscalCode } from '@sportello/schema';
import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import {
  authoriseCitizenRead,
  canLookUpCitizen,
  canReadCitizen,
  canReadInBatches,
  CITIZEN_FIELD_GROUPS,
} from '../domain/access.js';
import { delegationsOf } from '../domain/delegations.js';
import type { IdentityContext } from '../context.js';
import { toCitizenType, toDelegationType, toPreferenceTypes } from './citizen.mapper.js';
import { CitizenType, NotificationPreferenceType } from './citizen.type.js';
import { DelegationType } from './delegation.type.js';
import { LanguageEnum } from './enums.js';

/** Most citizens one batch query may ask for. */
const MAX_BATCH = 500;

/**
 * The citizen the caller speaks for: a citizen themselves, or the citizen who granted an app the
 * needed scope.
 *
 * @throws {UnauthenticatedError} for anonymous callers.
 * @throws {ForbiddenError} for anyone else.
 */
export function selfFiscalCode(ctx: IdentityContext, scope: Scope): string {
  const principal = ctx.principal;
  if (principal.kind === 'anonymous') throw new UnauthenticatedError('sign in as a citizen first');
  if (principal.kind === 'citizen') return principal.fiscalCode;
  if (principal.kind === 'client' && principal.onBehalfOf !== undefined) {
    if (!principal.scopes.includes(scope)) throw scopeRequired(scope);
    return principal.onBehalfOf.fiscalCode;
  }
  throw new ForbiddenError('only a citizen, or an app acting on a citizen’s grant, has an own account here');
}

@Resolver(() => CitizenType)
export class CitizenResolver {
  @Query(() => CitizenType, {
    nullable: true,
    description:
      'The signed-in citizen (or the citizen who granted this app access); null for staff, services and ' +
      'apps without a citizen’s grant; UNAUTHENTICATED without a token.',
  })
  async me(@Ctx() ctx: IdentityContext): Promise<CitizenType | null> {
    const principal = ctx.principal;
    requireAuthenticated(principal);
    const fiscalCode =
      principal.kind === 'citizen'
        ? principal.fiscalCode
        : principal.kind === 'client'
          ? principal.onBehalfOf?.fiscalCode
          : undefined;
    if (fiscalCode === undefined) return null;
    return toCitizenType(fiscalCode, await ctx.citizens.load(fiscalCode));
  }

  @Query(() => CitizenType, {
    nullable: true,
    description:
      'A citizen by fiscal code, for callers allowed to read some of their data; null when no account exists.',
  })
  async citizen(
    @Arg('fiscalCode', () => GraphQLFiscalCode, { description: 'The citizen’s codice fiscale.' })
    fiscalCode: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<CitizenType | null> {
    // Refuse before the lookup, so whether an account exists is not disclosed to outsiders.
    if (
      !CITIZEN_FIELD_GROUPS.some((group) => canReadCitizen(ctx.principal, fiscalCode, group)) &&
      !canLookUpCitizen(ctx.principal, fiscalCode)
    ) {
      authoriseCitizenRead(ctx, fiscalCode, 'profile');
    }
    const citizen = await ctx.citizens.load(fiscalCode);
    return citizen === null ? null : toCitizenType(fiscalCode, citizen);
  }

  @Query(() => [CitizenType], {
    description:
      'Citizens by fiscal code, in the order asked, for delivery (the notifier) and staff; unknown ones come back ' +
      'with null fields. At most 500 per call.',
  })
  async citizensByFiscalCodes(
    @Arg('fiscalCodes', () => [GraphQLFiscalCode], { description: 'Up to 500 codici fiscali.' })
    fiscalCodes: string[],
    @Ctx() ctx: IdentityContext,
  ): Promise<CitizenType[]> {
    requireAuthenticated(ctx.principal);
    if (!canReadInBatches(ctx.principal) && ctx.principal.kind !== 'staff') {
      throw new ForbiddenError('only internal services and staff read citizens in batches');
    }
    if (fiscalCodes.length > MAX_BATCH) {
      throw new BadUserInputError(`ask for at most ${MAX_BATCH} fiscal codes per call`, {
        field: 'fiscalCodes',
      });
    }
    const rows = await ctx.citizens.loadMany(fiscalCodes);
    return fiscalCodes.map((code, index) => {
      const row = rows[index];
      return toCitizenType(code, row instanceof Error || row === undefined ? null : row);
    });
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Requires: self, delegate, app with "profile", anagrafe/admin staff.',
  })
  givenName(@Root() citizen: CitizenType, @Ctx() ctx: IdentityContext): string | null {
    authoriseCitizenRead(ctx, citizen.fiscalCode, 'profile');
    return citizen.record?.givenName ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Requires: self, delegate, app with "profile", anagrafe/admin staff.',
  })
  familyName(@Root() citizen: CitizenType, @Ctx() ctx: IdentityContext): string | null {
    authoriseCitizenRead(ctx, citizen.fiscalCode, 'profile');
    return citizen.record?.familyName ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Contact field: also readable by the notifier.',
  })
  email(@Root() citizen: CitizenType, @Ctx() ctx: IdentityContext): string | null {
    authoriseCitizenRead(ctx, citizen.fiscalCode, 'contacts');
    return citizen.record?.email ?? null;
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description:
      'Whether the citizen proved they own the email address. Contact field: also readable by the notifier.',
  })
  emailVerified(@Root() citizen: CitizenType, @Ctx() ctx: IdentityContext): boolean | null {
    authoriseCitizenRead(ctx, citizen.fiscalCode, 'contacts');
    return citizen.record?.emailVerified ?? null;
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description: 'Whether a Telegram chat is linked (the chat id itself is never published).',
  })
  telegramLinked(@Root() citizen: CitizenType, @Ctx() ctx: IdentityContext): boolean | null {
    authoriseCitizenRead(ctx, citizen.fiscalCode, 'contacts');
    return citizen.record?.telegramLinked ?? null;
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description:
      'Whether notifications may also go to the citizen’s App IO inbox. Contact field: also readable by the notifier.',
  })
  ioEnabled(@Root() citizen: CitizenType, @Ctx() ctx: IdentityContext): boolean | null {
    authoriseCitizenRead(ctx, citizen.fiscalCode, 'contacts');
    return citizen.record?.ioEnabled ?? null;
  }

  @FieldResolver(() => LanguageEnum, {
    nullable: true,
    description:
      'Language the comune writes to the citizen in. Contact field: also readable by the notifier.',
  })
  preferredLanguage(@Root() citizen: CitizenType, @Ctx() ctx: IdentityContext): string | null {
    authoriseCitizenRead(ctx, citizen.fiscalCode, 'contacts');
    return citizen.record?.preferredLanguage ?? null;
  }

  @FieldResolver(() => [NotificationPreferenceType], {
    nullable: true,
    description:
      'One entry per category and channel. Readable by the citizen, an app with "notifications", the notifier and admin staff.',
  })
  notificationPreferences(
    @Root() citizen: CitizenType,
    @Ctx() ctx: IdentityContext,
  ): NotificationPreferenceType[] | null {
    authoriseCitizenRead(ctx, citizen.fiscalCode, 'preferences');
    return citizen.record === null ? null : toPreferenceTypes(citizen.record);
  }

  @FieldResolver(() => [DelegationType], {
    nullable: true,
    description: 'Delegations letting this citizen act for others.',
  })
  async actsFor(@Root() citizen: CitizenType, @Ctx() ctx: IdentityContext): Promise<DelegationType[] | null> {
    authoriseCitizenRead(ctx, citizen.fiscalCode, 'delegations');
    if (citizen.record === null) return null;
    const now = ctx.settings.clock?.() ?? new Date();
    return (await delegationsOf(ctx.em, citizen.fiscalCode, 'actsFor')).map((row) =>
      toDelegationType(row, now),
    );
  }

  @FieldResolver(() => [DelegationType], {
    nullable: true,
    description: 'Delegations letting others act for this citizen.',
  })
  async delegates(
    @Root() citizen: CitizenType,
    @Ctx() ctx: IdentityContext,
  ): Promise<DelegationType[] | null> {
    authoriseCitizenRead(ctx, citizen.fiscalCode, 'delegations');
    if (citizen.record === null) return null;
    const now = ctx.settings.clock?.() ?? new Date();
    return (await delegationsOf(ctx.em, citizen.fiscalCode, 'delegates')).map((row) =>
      toDelegationType(row, now),
    );
  }
}

/** Federation: other subgraphs reference `Citizen { fiscalCode }`; fields stay authorised one by one. */
export async function resolveCitizenReference(
  reference: { fiscalCode: string },
  ctx: IdentityContext,
): Promise<CitizenType> {
  return toCitizenType(reference.fiscalCode, await ctx.citizens.load(reference.fiscalCode));
}
