/**
 * Named AMQP errors. Handlers throw these; one boundary per frame turns a soft error into
 * channel.close and a hard error into connection.close, with RabbitMQ's reply texts.
 */
export class AmqpError extends Error {
  constructor(
    readonly code: number,
    /** The complete reply text, e.g. `NOT_FOUND - no queue 'q' in vhost '/'`. */
    readonly text: string,
    /** Hard errors close the connection; soft errors close only the channel. */
    readonly hard: boolean,
    /** The method the error is about, when it is not the method being handled. */
    readonly classId: number = 0,
    readonly methodId: number = 0,
  ) {
    super(text);
    this.name = 'AmqpError';
  }
}

const soft = (code: number, name: string) => (text: string) => new AmqpError(code, `${name} - ${text}`, false);
const hard = (code: number, name: string) => (text: string) => new AmqpError(code, `${name} - ${text}`, true);

export const accessRefused = soft(403, 'ACCESS_REFUSED');
export const notFound = soft(404, 'NOT_FOUND');
export const resourceLocked = soft(405, 'RESOURCE_LOCKED');
export const preconditionFailed = soft(406, 'PRECONDITION_FAILED');

export const connectionForced = hard(320, 'CONNECTION_FORCED');
export const frameError = hard(501, 'FRAME_ERROR');
export const syntaxError = hard(502, 'SYNTAX_ERROR');
export const commandInvalid = hard(503, 'COMMAND_INVALID');
export const channelError = hard(504, 'CHANNEL_ERROR');
export const unexpectedFrame = hard(505, 'UNEXPECTED_FRAME');
export const resourceError = hard(506, 'RESOURCE_ERROR');
export const notAllowed = hard(530, 'NOT_ALLOWED');
export const notImplemented = hard(540, 'NOT_IMPLEMENTED');
export const internalError = hard(541, 'INTERNAL_ERROR');
/** ACCESS_REFUSED on channel 0 (failed login, vhost access) closes the connection. */
export const accessRefusedHard = hard(403, 'ACCESS_REFUSED');
