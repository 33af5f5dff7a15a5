import type { Logger, Route } from '@sportello/platform';
import type { NotifierConfig } from '../config.js';
import type { DeliveryRow } from '../delivery/delivery-store.js';
import type { DispatchChannel } from '../delivery/dispatcher.js';
import type { Channel, ChannelName } from './channel.js';
import type { ChatLinks } from './telegram/chat-links.js';
import type { TelegramBot } from './telegram/telegram-bot.js';

/** What the notifier lends a channel while it is built. */
export interface ChannelHost {
  config: NotifierConfig;
  logger: Logger;
  chatLinks: ChatLinks;
  /** The channel the host gives instead of the provider's (tests, the hub): it does not pace on its own. */
  given: Channel | undefined;
  /** The sandbox folder channel that stands in while the provider is not configured. */
  sandbox(): Channel;
}

/** A built channel: its delivery adapter and what the notifier does around it. */
export interface BuiltChannel {
  /** The delivery adapter: the given one, the provider's when configured, else the sandbox. */
  channel: Channel;
  /** How the dispatcher paces this channel's deliveries and what an uncertain outcome becomes. */
  dispatch: Omit<DispatchChannel, 'channel' | 'concurrency'>;
  /** The recipient can no longer be reached on this channel. */
  onUnreachable?(row: DeliveryRow): Promise<void>;
  /** HTTP routes of the provider (Telegram's webhook). */
  routes?: Route[];
  /** Starts what the channel runs in the background (the bot's updates), with the notifier. */
  start?(): Promise<void>;
  /** Stops that background work, before the dispatcher stops. */
  stop?(): Promise<void>;
  /** Closes provider connections, once the server no longer takes requests. */
  close?(): Promise<void>;
  /** Where public posts go (Telegram's public channel), when the channel has one. */
  publicChannel?(): string | undefined;
  /** The citizen bot, watched by the metrics, when the provider runs one. */
  bot?: TelegramBot;
}

/**
 * One delivery channel as its provider folder declares it: its name, its slice of the configuration
 * (`null` when its provider is not configured, and the sandbox stands in) and how it is built.
 */
export interface ChannelDefinition<Settings> {
  readonly name: ChannelName;
  settings(config: NotifierConfig): Settings | null;
  build(settings: Settings | null, host: ChannelHost): BuiltChannel;
}

/** A channel in the registry, whatever its settings. */
export interface RegisteredChannel {
  readonly name: ChannelName;
  /** Whether the configuration holds the provider's settings (else the sandbox stands in). */
  configured(config: NotifierConfig): boolean;
  build(host: ChannelHost): BuiltChannel;
}

/** Declares a provider's channel for the registry. */
export function defineChannel<Settings>(definition: ChannelDefinition<Settings>): RegisteredChannel {
  return {
    name: definition.name,
    configured: (config) => definition.settings(config) !== null,
    build: (host) => definition.build(definition.settings(host.config), host),
  };
}
