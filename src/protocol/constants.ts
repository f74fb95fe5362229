/** AMQP 0-9-1 frame and reply constants (spec/amqp-rabbitmq-0.9.1.json "constants"). */

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 206;
export const FRAME_MIN_SIZE = 4096;
/** Bytes a frame carries besides its payload: 7-byte header + frame-end octet. */
export const FRAME_OVERHEAD = 8;

export const ReplyCode = {
  ReplySuccess: 200,
  ContentTooLarge: 311,
  NoRoute: 312,
  NoConsumers: 313,
  ConnectionForced: 320,
  InvalidPath: 402,
  AccessRefused: 403,
  NotFound: 404,
  ResourceLocked: 405,
  PreconditionFailed: 406,
  FrameError: 501,
  SyntaxError: 502,
  CommandInvalid: 503,
  ChannelError: 504,
  UnexpectedFrame: 505,
  ResourceError: 506,
  NotAllowed: 530,
  NotImplemented: 540,
  InternalError: 541,
} as const;

export type ReplyCodeValue = (typeof ReplyCode)[keyof typeof ReplyCode];

/** Soft errors close the channel; every other error code closes the connection. */
export function isSoftError(code: number): boolean {
  switch (code) {
    case 311:
    case 312:
    case 313:
    case 403:
    case 404:
    case 405:
    case 406:
      return true;
    default:
      return false;
  }
}

/** RabbitMQ's upper-case name of a reply code, e.g. 404 → `NOT_FOUND`; unknown → `UNKNOWN_ERROR`. */
export function replyCodeName(code: number): string {
  switch (code) {
    case 200: return 'REPLY_SUCCESS';
    case 311: return 'CONTENT_TOO_LARGE';
    case 312: return 'NO_ROUTE';
    case 313: return 'NO_CONSUMERS';
    case 320: return 'CONNECTION_FORCED';
    case 402: return 'INVALID_PATH';
    case 403: return 'ACCESS_REFUSED';
    case 404: return 'NOT_FOUND';
    case 405: return 'RESOURCE_LOCKED';
    case 406: return 'PRECONDITION_FAILED';
    case 501: return 'FRAME_ERROR';
    case 502: return 'SYNTAX_ERROR';
    case 503: return 'COMMAND_INVALID';
    case 504: return 'CHANNEL_ERROR';
    case 505: return 'UNEXPECTED_FRAME';
    case 506: return 'RESOURCE_ERROR';
    case 530: return 'NOT_ALLOWED';
    case 540: return 'NOT_IMPLEMENTED';
    case 541: return 'INTERNAL_ERROR';
    default: return 'UNKNOWN_ERROR';
  }
}
