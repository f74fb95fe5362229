import { randomBytes } from 'node:crypto';
import type { Channel } from './channel.js';

export const REPLY_QUEUE = 'amq.rabbitmq.reply-to';
const REPLY_PREFIX = REPLY_QUEUE + '.';

/**
 * RabbitMQ's direct reply-to: a channel consuming from the pseudo-queue `amq.rabbitmq.reply-to`
 * gets a private name; replies published to that name go straight to its consumer.
 */
export class DirectReplyRegistry {
  private readonly channels = new Map<string, Channel>();

  register(channel: Channel): string {
    let name: string;
    do name = REPLY_PREFIX + randomBytes(16).toString('base64url');
    while (this.channels.has(name));
    this.channels.set(name, channel);
    return name;
  }

  unregister(name: string): void {
    this.channels.delete(name);
  }

  isReplyName(routingKey: string): boolean {
    return routingKey.startsWith(REPLY_PREFIX);
  }

  lookup(routingKey: string): Channel | undefined {
    return this.channels.get(routingKey);
  }
}
