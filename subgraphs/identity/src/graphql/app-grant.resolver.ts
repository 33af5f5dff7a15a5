import {
  ConnectionArgs,
  ForbiddenError,
  UnauthenticatedError,
  connectionFromArray,
  withNodes,
  type Connection,
} from '@sportello/platform';
import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { appGrantsOf, revokeAppGrant, SCOPE_DESCRIPTIONS } from '../domain/app-grants.js';
import type { Language } from '../entities/citizen.entity.js';
import { actorOf, type IdentityContext } from '../context.js';
import { AppGrantConnectionType, AppGrantType } from './app-grant.type.js';
import { LanguageEnum } from './enums.js';

/**
 * The signed-in citizen's fiscal code: their grants are theirs alone to see and withdraw (not an
 * app's, not staff's, not a delegate's).
 *
 * @throws {UnauthenticatedError} for anonymous callers.
 * @throws {ForbiddenError} for anyone else.
 */
function citizenItself(ctx: IdentityContext): string {
  const principal = ctx.principal;
  if (principal.kind === 'anonymous') throw new UnauthenticatedError('sign in as a citizen first');
  if (principal.kind !== 'citizen') {
    throw new ForbiddenError('only the citizen sees and withdraws the access they granted to apps', {
      reason: 'CITIZEN_ONLY',
    });
  }
  return principal.fiscalCode;
}

@Resolver()
export class AppGrantResolver {
  @Query(() => AppGrantConnectionType, {
    description:
      'The apps the signed-in citizen lets reach their data, most recently granted first, with what each may do. Citizens only.',
  })
  async myAppGrants(
    @Arg('language', () => LanguageEnum, {
      nullable: true,
      description: 'Language of the scope descriptions; by default the citizen’s preferred language.',
    })
    language: string | null | undefined,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: IdentityContext,
  ): Promise<Connection<AppGrantType>> {
    const fiscalCode = citizenItself(ctx);
    const lang: Language =
      (language as Language | null | undefined) ??
      (await ctx.citizens.load(fiscalCode))?.preferredLanguage ??
      'it';
    // Most recently granted first, as read; one grant per app, so the client id keys the cursor.
    const grants = await appGrantsOf(ctx.em, fiscalCode);
    const page = connectionFromArray(grants, args, (grant) => [grant.clientId]);
    return withNodes(
      page,
      page.nodes.map((grant) =>
        Object.assign(new AppGrantType(), {
          clientId: grant.clientId,
          name: grant.name,
          grantedAt: grant.grantedAt,
          lastUsedAt: grant.lastUsedAt,
          scopes: grant.scopes.map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope][lang] })),
        }),
      ),
    );
  }

  @Mutation(() => Boolean, {
    description:
      'Withdraws the access the signed-in citizen granted to an app: its tokens for the citizen stop working in every service at once, and it has to ask again. NOT_FOUND when there is no such grant. Citizens only.',
  })
  async revokeAppGrant(
    @Arg('clientId', { description: 'The app’s client id, as listed by myAppGrants.' }) clientId: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    const fiscalCode = citizenItself(ctx);
    await revokeAppGrant(ctx.em, fiscalCode, clientId, await actorOf(ctx));
    return true;
  }
}
