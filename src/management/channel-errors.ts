import { AmqpError } from '../broker/errors.js';
import { badRequest, HttpError, notAuthorised, notFoundReason } from './http-error.js';

/**
 * How RabbitMQ reports the error of an operation it performs over an internal AMQP channel
 * (queue get, aliveness test): NOT_FOUND as 404, ACCESS_REFUSED as 401, each with the full
 * reply text; any other error as 400 `"CODE TEXT"`.
 */
export function channelErrorToHttp(err: AmqpError): HttpError {
  if (err.code === 404) return notFoundReason(err.text);
  if (err.code === 403) return notAuthorised(err.text);
  return badRequest(`${err.code} ${err.text}`);
}

/** Runs `work`, turning AMQP errors into HTTP errors with `map`. */
export function withAmqpErrors<T>(map: (err: AmqpError) => HttpError, work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof AmqpError) throw map(err);
    throw err;
  }
}
