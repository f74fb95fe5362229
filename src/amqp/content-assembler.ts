import { AmqpError } from '../broker/errors.js';
import { classIdOf, methodIdOf, type Method } from '../protocol/generated/methods.js';
import { decodeProperties, parseContentHeader, type BasicProperties } from '../protocol/generated/properties.js';

/** A complete content-bearing method (basic.publish): method, properties, raw header, body. */
export interface AssembledContent {
  readonly method: Method;
  readonly properties: BasicProperties;
  readonly header: Buffer;
  readonly body: Buffer;
}

const EXPECTED_HEADER = 'expected content header for class 60, got non content header frame instead';
const EXPECTED_METHOD = 'expected method frame, got non method frame instead';
const EXPECTED_BODY = 'expected content body, got non content body frame instead';

/**
 * The state machine that turns basic.publish + content header + body frames into one message,
 * as RabbitMQ's rabbit_command_assembler: anything out of order is 505 UNEXPECTED_FRAME, reported
 * against the method whose content was expected. Like RabbitMQ, body frames beyond the declared
 * size never complete the content (they are counted, not kept), so the next method is refused.
 * Pure: no I/O, so it is unit tested on its own.
 */
export class ContentAssembler {
  private method: Method | null = null;
  private header: Buffer | null = null;
  private properties: BasicProperties = {};
  private bodySize = 0;
  private received = 0;
  private parts: Buffer[] = [];

  constructor(private readonly maxMessageSize: number) {}

  /** True between basic.publish and its last body frame: only content frames may come. */
  get busy(): boolean {
    return this.method !== null;
  }

  private unexpected(explanation: string): AmqpError {
    const id = this.method === null ? 0 : this.method.id;
    return new AmqpError(505, `UNEXPECTED_FRAME - ${explanation}`, true, classIdOf(id), methodIdOf(id));
  }

  /** A method frame arrived; throws if content was expected instead. */
  checkMethodAllowed(): void {
    if (this.method !== null) throw this.unexpected(this.header === null ? EXPECTED_HEADER : EXPECTED_BODY);
  }

  start(method: Method): void {
    this.checkMethodAllowed();
    this.method = method;
  }

  /** Returns the content when its body is empty. */
  onHeader(payload: Buffer): AssembledContent | undefined {
    if (this.method === null) throw this.unexpected(EXPECTED_METHOD);
    if (this.header !== null) throw this.unexpected(EXPECTED_BODY);
    const { classId, bodySize, propertiesOffset } = parseContentHeader(payload);
    if (classId !== 60) throw this.unexpected(`expected content header for class 60, got one for class ${classId} instead`);
    const properties = decodeProperties(payload, propertiesOffset, payload.length);
    if (bodySize > this.maxMessageSize) {
      // RabbitMQ checks once the body is complete; checking the declared size saves buffering it.
      const id = this.method.id;
      this.reset();
      const text = `PRECONDITION_FAILED - message size ${bodySize} is larger than configured max size ${this.maxMessageSize}`;
      throw new AmqpError(406, text, false, classIdOf(id), methodIdOf(id));
    }
    this.properties = properties;
    this.header = Buffer.from(payload);
    this.bodySize = bodySize;
    this.received = 0;
    return bodySize === 0 ? this.complete(Buffer.alloc(0)) : undefined;
  }

  /** Returns the content when this was its last body frame. */
  onBody(payload: Buffer): AssembledContent | undefined {
    if (this.header === null) throw this.unexpected(this.method === null ? EXPECTED_METHOD : EXPECTED_HEADER);
    this.received += payload.length;
    if (this.received > this.bodySize) {
      // Past the declared size the content can never complete; keep nothing more.
      this.parts = [];
      return undefined;
    }
    if (this.received < this.bodySize) {
      // Partial bodies stay views into socket chunks until the last frame arrives.
      this.parts.push(payload);
      return undefined;
    }
    if (this.parts.length === 0) return this.complete(Buffer.from(payload));
    this.parts.push(payload);
    return this.complete(Buffer.concat(this.parts, this.bodySize));
  }

  private complete(body: Buffer): AssembledContent {
    const content: AssembledContent = { method: this.method!, properties: this.properties, header: this.header!, body };
    this.reset();
    return content;
  }

  reset(): void {
    this.method = null;
    this.header = null;
    this.properties = {};
    this.parts = [];
  }
}
