import type { Channel, ChannelName } from './channel.js';
import type { BuiltChannel, ChannelHost, RegisteredChannel } from './definition.js';
import { emailChannel } from './email/definition.js';
import { ioChannel } from './io/definition.js';
import { telegramChannel } from './telegram/definition.js';

/** Every channel the notifier delivers on, one folder per provider. */
export const CHANNEL_REGISTRY: readonly RegisteredChannel[] = [emailChannel, telegramChannel, ioChannel];

/** What {@link buildChannels} needs: the host of every channel, with stand-ins by channel name. */
export interface ChannelsHost extends Omit<ChannelHost, 'given' | 'sandbox'> {
  given: Partial<Record<ChannelName, Channel>>;
  sandbox(name: ChannelName): Channel;
}

/** Builds every registered channel: the provider's where it is configured, else the host's stand-ins. */
export function buildChannels(host: ChannelsHost): Map<ChannelName, BuiltChannel> {
  const built = new Map<ChannelName, BuiltChannel>();
  for (const { name, build } of CHANNEL_REGISTRY) {
    built.set(name, build({ ...host, given: host.given[name], sandbox: () => host.sandbox(name) }));
  }
  return built;
}
