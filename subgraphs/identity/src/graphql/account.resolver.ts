import { GraphQLFiscalCode } from '@sportello/schema';
import { BadUserInputError, ForbiddenError, type Principal } from '@sportello/platform';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import {
  changePreferences,
  createTelegramLink,
  findCitizen,
  linkTelegramChat,
  requestEmailChange,
  setIoEnabled,
  setPreferredLanguage,
  signOutEverywhere,
  unlinkTelegram,
  verifyEmail,
} from '../domain/accounts.js';
import { createDelegation, requireDelegation, revokeDelegation } from '../domain/delegations.js';
import type { DelegationKind } from '../domain/delegation.js';
import type { NotificationCategory, NotificationChannel } from '../domain/preferences.js';
import { CitizenEntity, type Language } from '../entities/citizen.entity.js';
import { actorOf, type IdentityContext } from '../context.js';
import { selfFiscalCode } from './citizen.resolver.js';
import { toCitizenType, toDelegationType } from './citizen.mapper.js';
import { CitizenType, EmailVerificationRequestType, TelegramLinkType } from './citizen.type.js';
import { DelegationType } from './delegation.type.js';
import { LanguageEnum, NotificationCategoryEnum, NotificationChannelEnum } from './enums.js';
import { CreateDelegationInput, PreferenceChangeInput } from './inputs.input.js';

function isNotifier(principal: Principal): boolean {
  return principal.kind === 'service' && principal.service === 'notifier';
}

function isRegistrar(principal: Principal): boolean {
  return (
    principal.kind === 'staff' &&
    principal.offices.some((office) => office === 'anagrafe' || office === 'admin')
  );
}

@Resolver()
export class AccountResolver {
  @Mutation(() => Boolean, {
    description:
      'Signs the caller out everywhere: every token issued to them so far stops working in every service at once (apps they granted keep their own access). Citizens only.',
  })
  async signOutEverywhere(@Ctx() ctx: IdentityContext): Promise<boolean> {
    const principal = ctx.principal;
    if (principal.kind !== 'citizen') {
      throw new ForbiddenError('only a citizen signs out of their own sessions', { reason: 'CITIZEN_ONLY' });
    }
    await signOutEverywhere(ctx.em, principal.fiscalCode, await actorOf(ctx));
    return true;
  }

  @Mutation(() => CitizenType, {
    description:
      'Turns notification channels on or off per category. CRITICAL_ALERTS cannot be turned off (BAD_USER_INPUT).',
  })
  async updateNotificationPreferences(
    @Arg('changes', () => [PreferenceChangeInput], {
      description: 'The preferences to change; the others stay as they are.',
    })
    changes: PreferenceChangeInput[],
    @Ctx() ctx: IdentityContext,
  ): Promise<CitizenType> {
    const fiscalCode = selfFiscalCode(ctx, 'notifications');
    const citizen = await changePreferences(
      ctx.em,
      fiscalCode,
      changes.map((change) => ({
        category: change.category as NotificationCategory,
        channel: change.channel as NotificationChannel,
        enabled: change.enabled,
      })),
      await actorOf(ctx),
    );
    return toCitizenType(fiscalCode, citizen);
  }

  @Mutation(() => CitizenType, {
    description: 'Sets the language the comune writes to the signed-in citizen in.',
  })
  async setPreferredLanguage(
    @Arg('language', () => LanguageEnum, { description: 'The new language.' }) language: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<CitizenType> {
    const fiscalCode = selfFiscalCode(ctx, 'profile');
    return toCitizenType(fiscalCode, await setPreferredLanguage(ctx.em, fiscalCode, language as Language));
  }

  @Mutation(() => CitizenType, {
    description: 'Whether notifications may also go to the citizen’s App IO inbox.',
  })
  async setAppIoEnabled(
    @Arg('enabled', { description: 'True to also deliver to App IO.' }) enabled: boolean,
    @Ctx() ctx: IdentityContext,
  ): Promise<CitizenType> {
    const fiscalCode = selfFiscalCode(ctx, 'notifications');
    return toCitizenType(fiscalCode, await setIoEnabled(ctx.em, fiscalCode, enabled));
  }

  @Mutation(() => EmailVerificationRequestType, {
    description:
      'Sets a new email address, unverified until the token sent to it is presented to verifyEmail.',
  })
  async changeEmail(
    @Arg('email', { description: 'The new email address.' }) email: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<EmailVerificationRequestType> {
    const fiscalCode = selfFiscalCode(ctx, 'profile');
    const { expiresAt } = await requestEmailChange(ctx.em, fiscalCode, email);
    return Object.assign(new EmailVerificationRequestType(), { expiresAt });
  }

  @Mutation(() => CitizenType, {
    description:
      'Confirms the pending email address with the token sent to it (BAD_USER_INPUT when wrong or expired).',
  })
  async verifyEmail(
    @Arg('token', { description: 'The token from the verification email.' }) token: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<CitizenType> {
    const fiscalCode = selfFiscalCode(ctx, 'profile');
    return toCitizenType(fiscalCode, await verifyEmail(ctx.em, fiscalCode, token, await actorOf(ctx)));
  }

  @Mutation(() => TelegramLinkType, {
    description: 'A one-time deep link (15 minutes) to connect a Telegram chat.',
  })
  async createTelegramLink(@Ctx() ctx: IdentityContext): Promise<TelegramLinkType> {
    const fiscalCode = selfFiscalCode(ctx, 'notifications');
    if (ctx.settings.telegramBotUsername === null) {
      throw new BadUserInputError('this comune has no Telegram bot configured');
    }
    const link = await createTelegramLink(ctx.em, fiscalCode, ctx.settings.telegramBotUsername);
    return Object.assign(new TelegramLinkType(), link);
  }

  @Mutation(() => CitizenType, {
    description: 'Disconnects the linked Telegram chat; nothing more is sent there.',
  })
  async unlinkTelegram(@Ctx() ctx: IdentityContext): Promise<CitizenType> {
    const fiscalCode = selfFiscalCode(ctx, 'notifications');
    const citizen = await findCitizen(ctx.em, fiscalCode);
    if (citizen === null) return toCitizenType(fiscalCode, null);
    return toCitizenType(fiscalCode, await unlinkTelegram(ctx.em, citizen, 'citizen', await actorOf(ctx)));
  }

  @Mutation(() => CitizenType, {
    description:
      'Notifier only: the bot received /start <token> from chatId; links the chat to the token’s citizen.',
  })
  async linkTelegramChat(
    @Arg('token', { description: 'The token of the deep link the bot received.' }) token: string,
    @Arg('chatId', { description: 'The Telegram chat id.' }) chatId: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<CitizenType> {
    if (!isNotifier(ctx.principal)) throw new ForbiddenError('only the notifier links Telegram chats');
    const citizen = await linkTelegramChat(ctx.em, token, chatId, await actorOf(ctx));
    return toCitizenType(citizen.fiscalCode, citizen);
  }

  @Mutation(() => Boolean, {
    description:
      'Notifier only: the citizen used the one-click unsubscribe link of a message (RFC 8058); turns that channel off for the category. CRITICAL_ALERTS cannot be turned off (BAD_USER_INPUT).',
  })
  async unsubscribeByLink(
    @Arg('fiscalCode', () => GraphQLFiscalCode, { description: 'The recipient of the message.' })
    fiscalCode: string,
    @Arg('category', () => NotificationCategoryEnum, { description: 'The category of the message.' })
    category: string,
    @Arg('channel', () => NotificationChannelEnum, { description: 'The channel it came on.' })
    channel: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    if (!isNotifier(ctx.principal)) throw new ForbiddenError('only the notifier applies unsubscribe links');
    await changePreferences(
      ctx.em,
      fiscalCode,
      [
        {
          category: category as NotificationCategory,
          channel: channel as NotificationChannel,
          enabled: false,
        },
      ],
      await actorOf(ctx),
    );
    return true;
  }

  @Mutation(() => Boolean, {
    description: 'Notifier only: the bot was blocked in this chat; unlinks it. False when no citizen had it.',
  })
  async reportTelegramChatBlocked(
    @Arg('chatId', { description: 'The Telegram chat id.' }) chatId: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    if (!isNotifier(ctx.principal)) throw new ForbiddenError('only the notifier reports blocked chats');
    const citizen = await ctx.em.findOne(CitizenEntity, { telegramChatId: chatId });
    if (citizen === null) return false;
    await unlinkTelegram(ctx.em, citizen, 'blocked', await actorOf(ctx));
    return true;
  }

  @Mutation(() => DelegationType, {
    description:
      'Records a delegation. MINOR_CHILD (anagrafe or admin staff): the delegator must be registered in anagrafe as a child under 18 of the family where the delegate is head or spouse; it ends at the start of the 18th birthday. DELEGATING_ADULT: only the delegator, signed in as themself, names an adult delegate (both 18 or older). It starts today at the earliest. Refusals are BAD_USER_INPUT naming the argument (input.delegator, input.delegate, input.validFrom, input.validUntil); nothing is written.',
  })
  async createDelegation(
    @Arg('input', () => CreateDelegationInput, { description: 'Who acts for whom, and for how long.' })
    input: CreateDelegationInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<DelegationType> {
    const principal = ctx.principal;
    const kind = input.kind as DelegationKind;
    if (kind === 'delegating-adult') {
      // The delegator's own act: nobody, staff included, gives someone's powers away for them.
      if (principal.kind !== 'citizen' || principal.fiscalCode !== input.delegator) {
        throw new ForbiddenError(
          'only the delegator, signed in as themself, delegates an adult to act for them',
          {
            reason: 'DELEGATOR_ONLY',
          },
        );
      }
    } else if (!isRegistrar(principal)) {
      throw new ForbiddenError('a minor child’s delegation is recorded by the anagrafe office');
    }
    const now = ctx.settings.clock?.() ?? new Date();
    const delegation = await createDelegation(
      ctx.em,
      principal.comune,
      {
        delegator: input.delegator,
        delegate: input.delegate,
        kind,
        validFrom: input.validFrom ?? null,
        validUntil: input.validUntil ?? null,
      },
      { registry: ctx.settings.registry ?? null, now },
    );
    return toDelegationType(delegation, now);
  }

  @Mutation(() => DelegationType, {
    description: 'Ends a delegation now: by either party or by the anagrafe office.',
  })
  async revokeDelegation(
    @Arg('id', () => ID, { description: 'Id of the delegation.' }) id: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<DelegationType> {
    const principal = ctx.principal;
    const delegation = await requireDelegation(ctx.em, id);
    const party =
      principal.kind === 'citizen' &&
      (principal.fiscalCode === delegation.delegatorFiscalCode ||
        principal.fiscalCode === delegation.delegateFiscalCode);
    if (!party && !isRegistrar(principal))
      throw new ForbiddenError('only the parties or the anagrafe office revoke a delegation');
    const now = ctx.settings.clock?.() ?? new Date();
    return toDelegationType(await revokeDelegation(ctx.em, delegation, await actorOf(ctx), now), now);
  }
}
