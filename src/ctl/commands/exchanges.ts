/** list_exchanges, list_bindings. */
import type { Command } from '../command.js';
import type { JsonObject } from '../json.js';
import { field } from '../json.js';
import { argumentsCell, plainCell } from '../cells.js';
import type { ColumnSet } from '../listing.js';
import { column, fieldColumn, listingCommand, VHOST_LISTING_USAGE } from '../listing.js';
import { apiPath } from '../management-client.js';

const EXCHANGE_COLUMNS: ColumnSet = {
  columns: [
    column('arguments', (x: JsonObject) => argumentsCell(field(x, 'arguments'))),
    fieldColumn('auto_delete'),
    fieldColumn('durable'),
    fieldColumn('internal'),
    fieldColumn('name'),
    fieldColumn('policy'),
    fieldColumn('type'),
  ],
  defaults: ['name', 'type'],
};

export const listExchanges: Command = listingCommand({
  name: 'list_exchanges',
  summary: 'Lists exchanges',
  usage: VHOST_LISTING_USAGE,
  columns: EXCHANGE_COLUMNS,
  banner: (ctx) => [`Listing exchanges for vhost ${ctx.vhost} ...`],
  items: (ctx) => ctx.api.list(apiPath('exchanges', ctx.vhost)),
});

const BINDING_COLUMNS: ColumnSet = {
  columns: [
    column('arguments', (b: JsonObject) => argumentsCell(field(b, 'arguments'))),
    fieldColumn('destination_kind', 'destination_type'),
    fieldColumn('destination_name', 'destination'),
    fieldColumn('routing_key'),
    column('source_kind', () => plainCell('exchange')),
    fieldColumn('source_name', 'source'),
  ],
  defaults: ['source_name', 'source_kind', 'destination_name', 'destination_kind', 'routing_key', 'arguments'],
};

export const listBindings: Command = listingCommand({
  name: 'list_bindings',
  summary: 'Lists all bindings on a vhost',
  usage: VHOST_LISTING_USAGE,
  columns: BINDING_COLUMNS,
  banner: (ctx) => [`Listing bindings for vhost ${ctx.vhost}...`],
  items: (ctx) => ctx.api.list(apiPath('bindings', ctx.vhost)),
});
