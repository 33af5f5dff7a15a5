import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  delivered,
  type Channel,
  type ChannelName,
  type OutgoingMessage,
  type SendResult,
} from '../channel.js';
import type { ChannelPost } from '../telegram/telegram-channel.js';

/** A channel that keeps messages in a folder instead of sending them. */
export interface SandboxChannel extends Channel {
  /** Where the messages are written: `<folder>/<name>/`. */
  readonly directory: string;
  /** Public channel posts land in the same folder. */
  sendToChannel(post: ChannelPost): Promise<SendResult>;
}

/**
 * Embedded and demo mode without provider credentials: each message becomes
 * `<folder>/<name>/<deliveryId>.json` (rewritten, not duplicated, when the same delivery is sent
 * again) and a log line without the recipient, so a person can watch what would have gone out.
 */
export function createSandboxChannel(
  name: ChannelName,
  folder: string,
  deps: { logger?: Logger } = {},
): SandboxChannel {
  const directory = join(folder, name);
  let ready: Promise<unknown> | undefined;
  async function write(id: string, content: unknown): Promise<SendResult> {
    ready ??= mkdir(directory, { recursive: true });
    await ready;
    const file = join(directory, `${id.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
    await writeFile(file, `${JSON.stringify(content, null, 2)}\n`);
    return delivered(`sandbox:${name}:${id}`);
  }
  return {
    name,
    directory,
    async send(message: OutgoingMessage) {
      const result = await write(message.deliveryId, {
        at: new Date().toISOString(),
        channel: name,
        ...message,
      });
      deps.logger?.info(
        { channel: name, deliveryId: message.deliveryId, subject: message.subject },
        'sandbox: message kept instead of sent',
      );
      return result;
    },
    async sendToChannel(post: ChannelPost) {
      const id = `public-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
      const result = await write(id, { at: new Date().toISOString(), channel: name, ...post });
      deps.logger?.info(
        { channel: name, channelId: post.channelId },
        'sandbox: public post kept instead of sent',
      );
      return result;
    },
  };
}
