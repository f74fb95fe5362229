import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { User } from '../broker/users.js';
import type { VirtualHost } from '../broker/vhost.js';
import { AmqpError, commandInvalid, internalError, notAllowed, unexpectedFrame } from '../broker/errors.js';
import { ProtocolError, truncateReplyText } from '../protocol/errors.js';
import { FRAME_HEARTBEAT, FRAME_METHOD } from '../protocol/constants.js';
import { describeFrame, FrameReader, type FrameSink } from '../protocol/frame-reader.js';
import type { FieldTable } from '../protocol/field-types.js';
import { decodeMethod, MethodId, classIdOf, methodIdOf, type Method } from '../protocol/generated/methods.js';
import type { BrokerContext } from './context.js';
import { FrameWriter } from './frame-writer.js';
import { Channel } from './channel.js';
import { authenticate, serverProperties } from './handshake.js';

const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');

type State = 'header' | 'start' | 'tune' | 'open' | 'opened' | 'closing' | 'closed';

let nextConnectionId = 1;

/** A read this large means more is probably waiting: the connection yields until the next turn. */
const READ_BUDGET = 64 * 1024;
/** Output waiting for a slow reader beyond which its socket is no longer read. */
const OUTPUT_LIMIT = 4 * 1024 * 1024;
const yieldingConnections: Connection[] = [];

function resumeYieldingConnections(): void {
  const list = yieldingConnections.splice(0);
  for (const c of list) c.resumeAfterYield();
}

/** Whether a client capability was advertised in start-ok's client properties. */
function hasCapability(props: FieldTable, name: string): boolean {
  const caps = props.get('capabilities');
  if (caps === undefined || caps.type !== 'F') return false;
  const v = caps.value.get(name);
  return v !== undefined && v.type === 't' && v.value;
}

/**
 * One AMQP connection: protocol header, handshake, channel 0, heartbeats, and the boundary that
 * turns errors into channel.close or connection.close.
 */
export class Connection implements FrameSink {
  readonly id = nextConnectionId++;
  readonly log: Logger;
  readonly writer: FrameWriter;
  private readonly reader: FrameReader;
  private state: State = 'header';
  private headerBuffer: Buffer = Buffer.alloc(0);
  readonly channels = new Map<number, Channel>();
  user: User | null = null;
  vhost: VirtualHost | null = null;
  clientProperties: FieldTable = new Map();
  channelMax = 0;
  frameMax = 0;
  heartbeat = 0;
  private silentMs = 0;
  private idleSendMs = 0;
  private handshakeMs = 0;
  private receivedSinceTick = false;
  private blocked = false;
  private yielding = false;
  /** More than OUTPUT_LIMIT bytes of output are waiting for the client to read them. */
  private outputFull = false;
  private closeTimer: NodeJS.Timeout | null = null;
  /** Channels with publisher confirms waiting to be sent at the end of this read. */
  readonly confirmsPending = new Set<Channel>();
  /** Channels whose consumers stopped for socket back-pressure and wait for a flush. */
  private waitingForDrain = false;
  capabilityCancelNotify = false;
  capabilityBlocked = false;
  capabilityAuthFailureClose = false;
  readonly peer: string;

  constructor(
    readonly socket: Socket,
    readonly broker: BrokerContext,
  ) {
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.log = broker.log.child({ connection: this.id, peer: this.peer });
    this.reader = new FrameReader(broker.settings.frameMax);
    this.writer = new FrameWriter(socket);
    this.writer.frameMax = broker.settings.frameMax;
    this.writer.onFlush = this.afterFlush;
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('drain', this.afterFlush);
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    socket.on('close', () => this.cleanup('socket closed'));
  }

  get isOpen(): boolean {
    return this.state === 'opened';
  }

  /** Whether more deliveries may be encoded now without growing the output without bound. */
  get writable(): boolean {
    if (this.writer.bufferedBytes < 1024 * 1024) return true;
    this.waitingForDrain = true;
    return false;
  }

  private readonly afterFlush = (): void => {
    this.idleSendMs = 0;
    if (this.outputFull && this.writer.bufferedBytes < OUTPUT_LIMIT / 4) {
      this.outputFull = false;
      this.updateReading();
    }
    if (this.waitingForDrain && this.writer.bufferedBytes < 256 * 1024) {
      this.waitingForDrain = false;
      for (const ch of this.channels.values()) ch.resumeDeliveries();
    }
  };

  private readonly onData = (chunk: Buffer): void => {
    this.receivedSinceTick = true;
    // Fairness: a connection that fills a whole read (a busy publisher) yields the event loop
    // until the next turn, so other connections (consumers' acks) are read in between.
    if (chunk.length >= READ_BUDGET && !this.yielding) {
      this.yielding = true;
      this.updateReading();
      yieldingConnections.push(this);
      if (yieldingConnections.length === 1) setImmediate(resumeYieldingConnections);
    }
    if (this.state === 'closed') return;
    if (this.state === 'header') {
      chunk = this.readProtocolHeader(chunk);
      if (this.state === 'header' || chunk.length === 0) return;
    }
    try {
      this.reader.push(chunk, this);
    } catch (err) {
      this.handleError(err, 0, 0);
    }
    if (this.confirmsPending.size > 0) {
      for (const ch of this.confirmsPending) ch.flushConfirms();
      this.confirmsPending.clear();
    }
    // Under an alarm, a connection part-way through a message's content is a publisher too.
    if (this.broker.alarms.size > 0 && !this.blocked) {
      for (const ch of this.channels.values()) {
        if (ch.assembling) {
          this.publisherBlocked();
          break;
        }
      }
    }
    // A client that sends requests without reading the replies stops being read.
    if (!this.outputFull && this.writer.bufferedBytes > OUTPUT_LIMIT) {
      this.outputFull = true;
      this.updateReading();
    }
  };

  /** The socket is read unless an alarm blocks it, it yields this turn, or its output is full. */
  private updateReading(): void {
    if (this.state === 'closed') return;
    if (this.blocked || this.yielding || this.outputFull) this.socket.pause();
    else this.socket.resume();
  }

  private readProtocolHeader(chunk: Buffer): Buffer {
    const needed = 8 - this.headerBuffer.length;
    this.headerBuffer = Buffer.concat([this.headerBuffer, chunk.subarray(0, needed)]);
    const rest = chunk.subarray(needed);
    if (this.headerBuffer.length < 8) return rest;
    if (!this.headerBuffer.equals(PROTOCOL_HEADER)) {
      this.log.info({ header: this.headerBuffer.toString('hex') }, 'unsupported protocol header');
      this.state = 'closed';
      this.socket.end(PROTOCOL_HEADER);
      return Buffer.alloc(0);
    }
    this.state = 'start';
    this.send(0, {
      id: MethodId.ConnectionStart,
      versionMajor: 0,
      versionMinor: 9,
      serverProperties: serverProperties(this.broker.settings),
      mechanisms: Buffer.from('PLAIN AMQPLAIN'),
      locales: Buffer.from('en_US'),
    });
    return rest;
  }

  send(channel: number, method: Method): void {
    if (this.state !== 'closed') this.writer.sendMethod(channel, method);
  }

  onFrame(type: number, channelId: number, payload: Buffer): void {
    if (this.state === 'closed') return;
    try {
      if (this.state === 'closing') {
        // After connection.close only close-ok (or a crossing close) matters.
        if (channelId === 0 && type === FRAME_METHOD) this.onChannel0(decodeMethod(payload));
        return;
      }
      if (type === FRAME_HEARTBEAT) {
        if (channelId !== 0) throw unexpectedFrame(describeFrame(type, payload));
        return;
      }
      if (channelId === 0) {
        if (type !== FRAME_METHOD) throw unexpectedFrame(describeFrame(type, payload));
        const method = decodeMethod(payload);
        try {
          this.onChannel0(method);
        } catch (err) {
          this.handleError(err, classIdOf(method.id), methodIdOf(method.id));
        }
        return;
      }
      if (this.state !== 'opened') throw unexpectedFrame(describeFrame(type, payload));
      const channel = this.channels.get(channelId);
      if (channel === undefined) this.openChannel(type, channelId, payload);
      else channel.handleFrame(type, payload);
    } catch (err) {
      this.handleError(err, 0, 0, channelId);
    }
  }

  /** The first frame on a channel that is not open must be channel.open. */
  private openChannel(type: number, channelId: number, payload: Buffer): void {
    if (type !== FRAME_METHOD) throw unexpectedFrame('expected method frame, got non method frame instead');
    const method = decodeMethod(payload);
    if (method.id !== MethodId.ChannelOpen) {
      throw new AmqpError(504, "CHANNEL_ERROR - expected 'channel.open'", true, classIdOf(method.id), methodIdOf(method.id));
    }
    if (this.channels.size >= this.channelMax) {
      throw notAllowed(`number of channels opened (${this.channels.size}) has reached the negotiated channel_max (${this.channelMax})`);
    }
    this.channels.set(channelId, new Channel(this, channelId));
    this.send(channelId, { id: MethodId.ChannelOpenOk, channelId: Buffer.alloc(0) });
  }

  /**
   * The error boundary: soft errors close their channel, everything else the connection. During
   * the handshake (before tune-ok) RabbitMQ closes the socket without a word, and so do we;
   * likewise for input its parser has no clause for (ProtocolError.silent).
   */
  handleError(err: unknown, classId: number, methodId: number, channelId = 0): void {
    if (err instanceof AmqpError || err instanceof ProtocolError) {
      const cls = err.classId !== 0 ? err.classId : classId;
      const mth = err.classId !== 0 ? err.methodId : methodId;
      if (err instanceof ProtocolError && err.silent) {
        this.log.info({ code: err.code, text: err.text }, 'closing connection without connection.close');
        this.destroy();
      } else if (this.state === 'start' || this.state === 'tune') {
        this.log.info({ code: err.code, text: err.text }, 'handshake failed');
        this.destroy();
      } else if (err instanceof AmqpError && !err.hard && channelId !== 0 && this.channels.has(channelId)) {
        this.channels.get(channelId)!.closeWithError(err.code, err.text, cls, mth);
      } else {
        this.close(err.code, err.text, cls, mth);
      }
      return;
    }
    this.log.error({ err }, 'internal error');
    const e = internalError(err instanceof Error ? err.message : String(err));
    this.close(e.code, e.text, classId, methodId);
  }

  private onChannel0(method: Method): void {
    if (this.state === 'closing') {
      if (method.id === MethodId.ConnectionCloseOk) this.destroy();
      else if (method.id === MethodId.ConnectionClose) this.writer.sendMethod(0, { id: MethodId.ConnectionCloseOk });
      return;
    }
    const state = this.state;
    if (method.id === MethodId.ConnectionClose) {
      this.send(0, { id: MethodId.ConnectionCloseOk });
      this.cleanup('closed by client');
      this.state = 'closed';
      this.writer.close();
      this.socket.end();
    } else if (state === 'start' && method.id === MethodId.ConnectionStartOk) {
      this.onStartOk(method.clientProperties, method.mechanism, method.response);
    } else if (state === 'tune' && method.id === MethodId.ConnectionTuneOk) {
      this.onTuneOk(method.channelMax, method.frameMax, method.heartbeat);
    } else if (state === 'open' && method.id === MethodId.ConnectionOpen) {
      this.onOpen(method.virtualHost);
    } else if (state === 'opened' && method.id === MethodId.ConnectionUpdateSecret) {
      this.send(0, { id: MethodId.ConnectionUpdateSecretOk });
    } else {
      const stateName = { header: 'pre_init', start: 'starting', tune: 'tuning', open: 'opening', opened: 'running', closed: 'closed' }[state];
      throw new AmqpError(
        504,
        `CHANNEL_ERROR - unexpected method in connection state ${stateName}`,
        true,
        classIdOf(method.id),
        methodIdOf(method.id),
      );
    }
  }

  private onStartOk(clientProperties: FieldTable, mechanism: string, response: Buffer): void {
    this.clientProperties = clientProperties;
    this.capabilityCancelNotify = hasCapability(clientProperties, 'consumer_cancel_notify');
    this.capabilityBlocked = hasCapability(clientProperties, 'connection.blocked');
    this.capabilityAuthFailureClose = hasCapability(clientProperties, 'authentication_failure_close');
    const result = authenticate(this.broker.users, mechanism, response, this.socket.remoteAddress ?? '');
    if (result.kind === 'unknown-mechanism') {
      throw commandInvalid(`unknown authentication mechanism '${mechanism}'`);
    }
    if (result.kind === 'refused') {
      this.log.warn({ user: result.username, reason: result.reason }, 'login refused');
      const text = `ACCESS_REFUSED - Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`;
      if (this.capabilityAuthFailureClose) this.close(403, text, 0, 0);
      else this.destroy();
      return;
    }
    this.user = result.user;
    this.state = 'tune';
    const s = this.broker.settings;
    this.send(0, { id: MethodId.ConnectionTune, channelMax: s.channelMax, frameMax: s.frameMax, heartbeat: s.heartbeat });
  }

  private onTuneOk(channelMax: number, frameMax: number, heartbeat: number): void {
    const s = this.broker.settings;
    if (frameMax !== 0 && frameMax < 4096) throw notAllowed(`frame_max=${frameMax} < 4096 min size`);
    if (frameMax === 0 || frameMax > s.frameMax) throw notAllowed(`frame_max=${frameMax} > ${s.frameMax} max size`);
    if (channelMax === 0 || channelMax > s.channelMax) throw notAllowed(`channel_max=${channelMax} > ${s.channelMax} max size`);
    this.frameMax = frameMax;
    this.channelMax = channelMax;
    this.heartbeat = heartbeat;
    this.reader.maxFrameSize = frameMax;
    this.writer.frameMax = frameMax;
    this.state = 'open';
  }

  private onOpen(vhostName: string): void {
    const vhost = this.broker.vhost(vhostName);
    if (vhost === undefined) throw notAllowed(`vhost ${vhostName} not found`);
    const user = this.user!;
    if (!this.broker.users.mayOpenVhost(user, vhostName)) {
      throw notAllowed(`access to vhost '${vhostName}' refused for user '${user.name}'`);
    }
    this.vhost = vhost;
    this.state = 'opened';
    this.send(0, { id: MethodId.ConnectionOpenOk, knownHosts: '' });
    this.broker.connectionOpened(this);
    this.log.debug({ user: user.name, vhost: vhostName }, 'connection opened');
  }

  /** Server-initiated close: connection.close, then wait (briefly) for close-ok. */
  close(code: number, text: string, classId: number, methodId: number): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    if (code !== 200 && code !== 320) this.log.info({ code, text }, 'closing connection on error');
    this.writer.sendMethod(0, { id: MethodId.ConnectionClose, replyCode: code, replyText: truncateReplyText(text), classId, methodId });
    this.state = 'closing';
    // The reader keeps going (unless the stream itself was corrupt) so close-ok is seen.
    this.cleanupChannels();
    this.closeTimer = setTimeout(() => this.destroy(), 3000);
    this.closeTimer.unref();
  }

  /** Ends the socket after flushing what was written. */
  destroy(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.writer.close();
    this.socket.end();
    this.socket.destroySoon();
    this.cleanup('closed');
  }

  private cleanupChannels(): void {
    for (const ch of this.channels.values()) ch.release();
    this.channels.clear();
  }

  private cleaned = false;
  private cleanup(reason: string): void {
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    if (this.state !== 'closed') this.state = 'closed';
    if (this.cleaned) return;
    this.cleaned = true;
    this.cleanupChannels();
    if (this.vhost !== null) this.vhost.removeExclusiveQueues(this);
    this.broker.connectionClosed(this);
    this.log.debug({ reason }, 'connection closed');
  }

  /**
   * Called by the broker's one timer every `elapsedMs`: the handshake timeout and heartbeats.
   * A heartbeat goes out after half an interval without output; a client silent for two whole
   * intervals is disconnected.
   */
  tick(elapsedMs: number): void {
    if (this.state === 'closed') return;
    if (this.state !== 'opened' && this.state !== 'closing') {
      this.handshakeMs += elapsedMs;
      if (this.handshakeMs > this.broker.settings.handshakeTimeoutMs) {
        this.log.info('handshake timeout');
        this.destroy();
        return;
      }
    }
    if (this.heartbeat === 0) return;
    if (this.receivedSinceTick) {
      this.receivedSinceTick = false;
      this.silentMs = 0;
    } else {
      this.silentMs += elapsedMs;
      if (this.silentMs >= this.heartbeat * 2000) {
        this.log.info({ timeout: this.heartbeat }, 'missed heartbeats from client, closing connection');
        this.state = 'closed';
        this.socket.destroy();
        this.cleanup('heartbeat timeout');
        return;
      }
    }
    this.idleSendMs += elapsedMs;
    if (this.idleSendMs >= this.heartbeat * 500) this.writer.sendHeartbeat();
  }


  /** Called on the turn after a full read: read this socket again unless an alarm blocks it. */
  resumeAfterYield(): void {
    this.yielding = false;
    this.updateReading();
  }

  /** Replies written from now on wait until what was just stored is on disk. */
  holdOutputUntilDurable(): void {
    this.writer.hold();
    this.broker.whenDurable(() => this.writer.release());
  }

  /** A resource alarm started or ended: block publishers (RabbitMQ's connection.blocked). */
  setBlocked(reason: string | null): void {
    if (reason === null) {
      if (!this.blocked) return;
      this.blocked = false;
      if (this.capabilityBlocked && this.isOpen) this.send(0, { id: MethodId.ConnectionUnblocked });
      this.updateReading();
    } else if (!this.blocked) {
      this.blocked = true;
      if (this.capabilityBlocked && this.isOpen) this.send(0, { id: MethodId.ConnectionBlocked, reason });
    }
  }

  /** A publish arrived while an alarm is in effect: stop reading this socket. */
  publisherBlocked(): void {
    if (this.broker.alarms.size > 0) {
      this.setBlocked([...this.broker.alarms].join(' & '));
      this.updateReading();
    }
  }
}
