/**
 * The management API as the commands use it: reads that treat 404 as "not there", changes
 * that hand back the status for the command to interpret, and any other failure as an error.
 */
import type { JsonObject, JsonValue } from './json.js';
import { isJsonObject, jsonObjects, stringField } from './json.js';
import type { ApiResponse, Credentials, ManagementClient } from './management-client.js';

/** The API answered with a status the command did not expect. */
export class ApiFailure extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${method} ${path} answered ${status}${reason === '' ? '' : `: ${reason}`}`);
  }
}

/** The API refused the credentials warrenctl was given (--url user:password). */
export class ApiLoginRefused extends Error {}

/** RabbitMQ's error bodies are {"error": ..., "reason": ...}. */
export function errorReason(response: ApiResponse): string {
  const body = response.body;
  if (isJsonObject(body)) return stringField(body, 'reason') ?? stringField(body, 'error') ?? response.text;
  return response.text.trim();
}

export class BrokerApi {
  private nodeNamePromise: Promise<string> | undefined;

  constructor(readonly client: ManagementClient) {}

  private check(method: string, path: string, response: ApiResponse, allowed: readonly number[]): ApiResponse {
    if ((response.status >= 200 && response.status < 300) || allowed.includes(response.status)) return response;
    if (response.status === 401 && this.client.target.kind === 'url') {
      throw new ApiLoginRefused(`${this.client.describe()} refused the credentials given with --url (${errorReason(response)})`);
    }
    throw new ApiFailure(method, path, response.status, errorReason(response));
  }

  /** GET a document; null if the API answers 404. */
  async read(path: string): Promise<JsonValue | null> {
    const response = this.check('GET', path, await this.client.get(path), [404]);
    return response.status === 404 ? null : (response.body ?? null);
  }

  /** GET one object; null if it does not exist. */
  async object(path: string): Promise<JsonObject | null> {
    const value = (await this.read(path)) ?? undefined;
    return isJsonObject(value) ? value : null;
  }

  /** GET a list of objects; [] if the API answers 404 (e.g. a missing vhost). */
  async list(path: string): Promise<JsonObject[]> {
    return jsonObjects((await this.read(path)) ?? undefined);
  }

  /** A change (PUT, POST, DELETE); statuses in `allowed` come back to the caller instead of throwing. */
  async change(method: 'PUT' | 'POST' | 'DELETE', path: string, body?: JsonValue, allowed: readonly number[] = [], headers: Readonly<Record<string, string>> = {}): Promise<ApiResponse> {
    return this.check(method, path, await this.client.request(method, path, body, headers), allowed);
  }

  /** GET with someone else's credentials, not interpreted (authenticate_user). */
  getAs(path: string, credentials: Credentials): Promise<ApiResponse> {
    return this.client.get(path, credentials);
  }

  /** The broker's node name (RabbitMQ's `rabbit@host`), for JSON results. */
  nodeName(): Promise<string> {
    this.nodeNamePromise ??= this.object('/api/overview').then((o) => (o === null ? undefined : stringField(o, 'node')) ?? 'warren@localhost');
    return this.nodeNamePromise;
  }
}
