/**
 * The AMQP objects the warrenctl scenario lists: four queues (two with messages), two exchanges,
 * bindings (one with arguments), one connection named 'golden-conn' with two channels, and a
 * consumer holding one unacknowledged message. Works against any broker (RabbitMQ or Warren).
 */
import amqp from 'amqplib';
import type { ChannelModel } from 'amqplib';

export class AmqpFixture {
  private constructor(private readonly connection: ChannelModel) {}

  /** Declares everything and returns once the consumer holds its message. */
  static async open(url: string): Promise<AmqpFixture> {
    const connection = await amqp.connect(url, { clientProperties: { connection_name: 'golden-conn' } });
    connection.on('error', () => {});
    const fixture = new AmqpFixture(connection);
    const ch = await connection.createConfirmChannel();
    ch.on('error', () => {});
    await ch.assertQueue('q.durable', { durable: true, arguments: { 'x-max-priority': 5 } });
    await ch.assertQueue('q.transient', { durable: false });
    await ch.assertQueue('q.extra', { durable: false });
    await ch.assertQueue('q.spare', { durable: false });
    await ch.assertExchange('ex.topic', 'topic', { durable: true });
    await ch.assertExchange('ex.fanout', 'fanout', { durable: false, autoDelete: true });
    await ch.bindQueue('q.durable', 'ex.topic', 'a.#', { 'x-k': 'v' });
    await ch.bindQueue('q.transient', 'ex.fanout', '');
    ch.sendToQueue('q.durable', Buffer.from('hello'), { persistent: true });
    ch.sendToQueue('q.durable', Buffer.from('world'), { persistent: true });
    ch.sendToQueue('q.transient', Buffer.from('x'));
    await ch.waitForConfirms();
    const consumer = await connection.createChannel();
    consumer.on('error', () => {});
    await consumer.prefetch(10);
    await new Promise<void>((resolve, reject) => {
      consumer.consume('q.transient', () => resolve(), { consumerTag: 'ctag-golden' }).catch(reject);
    });
    return fixture;
  }

  /** Closes the connection (if the broker has not already) and deletes the exchanges. */
  async close(url: string): Promise<void> {
    await this.connection.close().catch(() => {});
    const cleanup = await amqp.connect(url);
    try {
      const ch = await cleanup.createChannel();
      await ch.deleteExchange('ex.topic');
      await ch.deleteExchange('ex.fanout');
    } finally {
      await cleanup.close();
    }
  }
}

/** Removes whatever an interrupted earlier run left behind. */
export async function removeFixtureLeftovers(url: string): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const ch = await connection.createChannel();
    for (const q of ['q.durable', 'q.transient', 'q.extra', 'q.spare']) await ch.deleteQueue(q);
    for (const x of ['ex.topic', 'ex.fanout']) await ch.deleteExchange(x);
  } finally {
    await connection.close();
  }
}
