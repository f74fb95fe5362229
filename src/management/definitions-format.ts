import type { Broker } from '../server/broker.js';

/** A definitions file that cannot be imported; the message says why. Nothing was changed. */
export class DefinitionsError extends Error {}

/** A JSON value as it appears in a definitions file (x-arguments, policy definitions, parameters). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface UserDefinition {
  name: string;
  password_hash: string;
  hashing_algorithm: string;
  tags: string[];
  limits: JsonObject;
}

export interface VhostDefinition {
  name: string;
  limits: JsonValue[];
  metadata: { description: string; tags: string[] };
}

export interface PermissionDefinition {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

export interface TopicPermissionDefinition {
  user: string;
  vhost: string;
  exchange: string;
  write: string;
  read: string;
}

export interface ParameterDefinition {
  value: JsonValue;
  vhost: string;
  component: string;
  name: string;
}

export interface GlobalParameterDefinition {
  name: string;
  value: JsonValue;
}

export interface PolicyDefinition {
  vhost: string;
  name: string;
  pattern: string;
  'apply-to': string;
  definition: JsonObject;
  priority: number;
}

export interface QueueDefinition {
  name: string;
  vhost: string;
  durable: boolean;
  auto_delete: boolean;
  arguments: JsonObject;
}

export interface ExchangeDefinition {
  name: string;
  vhost: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: JsonObject;
}

export interface BindingDefinition {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments: JsonObject;
}

/** The whole-broker export of RabbitMQ 3.10 (rabbitmqctl export_definitions, GET /api/definitions). */
export interface RabbitDefinitions {
  rabbit_version: string;
  rabbitmq_version: string;
  product_name: string;
  product_version: string;
  users: UserDefinition[];
  vhosts: VhostDefinition[];
  permissions: PermissionDefinition[];
  topic_permissions: TopicPermissionDefinition[];
  parameters: ParameterDefinition[];
  global_parameters: GlobalParameterDefinition[];
  policies: PolicyDefinition[];
  queues: QueueDefinition[];
  exchanges: ExchangeDefinition[];
  bindings: BindingDefinition[];
}

/** The per-vhost export (GET /api/definitions/{vhost}): objects of one vhost, without a vhost field. */
export interface VhostDefinitions {
  rabbit_version: string;
  rabbitmq_version: string;
  product_name: string;
  product_version: string;
  parameters: Omit<ParameterDefinition, 'vhost'>[];
  policies: Omit<PolicyDefinition, 'vhost'>[];
  queues: Omit<QueueDefinition, 'vhost'>[];
  exchanges: Omit<ExchangeDefinition, 'vhost'>[];
  bindings: Omit<BindingDefinition, 'vhost'>[];
}

/** What an import did. */
export interface ImportSummary {
  vhosts: number;
  users: number;
  permissions: number;
  exchanges: number;
  queues: number;
  bindings: number;
  /** Sections Warren accepts but does not apply yet (it has no policies, parameters or topic permissions). */
  ignored: { policies: number; parameters: number; global_parameters: number; topic_permissions: number };
  /** Things that were skipped as RabbitMQ skips them, one sentence each. */
  warnings: string[];
}

/** The broker's definitions as RabbitMQ exports them; with `vhost`, the per-vhost shape. */
export function exportDefinitions(broker: Broker): RabbitDefinitions;
export function exportDefinitions(broker: Broker, vhost: string): VhostDefinitions;
export function exportDefinitions(broker: Broker, vhost?: string): RabbitDefinitions | VhostDefinitions;
export function exportDefinitions(_broker: Broker, _vhost?: string): RabbitDefinitions | VhostDefinitions {
  throw new DefinitionsError('not implemented yet');
}

/**
 * Validates a parsed definitions file and applies it (with `vhost`: a per-vhost file, into that
 * vhost). Throws DefinitionsError before changing anything if the file is invalid.
 */
export function importDefinitions(_broker: Broker, _definitions: unknown, _vhost?: string): ImportSummary {
  throw new DefinitionsError('not implemented yet');
}
