import { Reply } from './context.js';
import { badRequest, HttpError } from './http-error.js';
import { dottedValue, extractColumns, parseColumns } from './columns.js';
import { compareKeys } from './erlang-order.js';
import type { Json, JsonObject } from './json.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;

/** How to list one kind of object. */
export interface ListSpec<T> {
  readonly items: Iterable<T>;
  /** The object's full row. */
  readonly format: (item: T) => JsonObject;
  /**
   * The object's cheap columns (at least `name` and those of `defaultSort`): sorting and filtering
   * on them need no full rows, so a page of 10,000 queues formats only its own rows.
   */
  readonly basic: (item: T) => JsonObject;
  readonly basicColumns: readonly string[];
  /** RabbitMQ sorts lists by vhost then name unless told otherwise. */
  readonly defaultSort?: readonly string[];
}

interface Pagination {
  readonly page: number;
  readonly pageSize: number;
  readonly name: string | null;
  readonly useRegex: boolean;
}

function integerParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest('Pagination parameters are invalid');
  return Number(raw);
}

/** RabbitMQ's pagination_params: none without `page`; 400 for out-of-range values. */
function parsePagination(query: URLSearchParams): Pagination | undefined {
  const page = integerParam(query, 'page');
  const size = integerParam(query, 'page_size');
  if (page === undefined) return undefined;
  if (page > 0 && (size === undefined || (size > 0 && size <= MAX_PAGE_SIZE))) {
    return { page, pageSize: size ?? DEFAULT_PAGE_SIZE, name: query.get('name'), useRegex: query.get('use_regex') === 'true' };
  }
  throw new HttpError(
    400,
    'invalid_pagination_parameters',
    `Invalid pagination parameters: page number ${page}, page size ${size ?? 'undefined'}`,
  );
}

function nameFilter(p: Pagination): ((name: Json | undefined) => boolean) | undefined {
  if (p.name === null || p.name === '') return undefined;
  const wanted = p.name;
  if (p.useRegex) {
    let re: RegExp;
    try {
      re = new RegExp(wanted, 'i');
    } catch {
      throw badRequest('Pagination parameters are invalid');
    }
    return (name) => typeof name === 'string' && re.test(name);
  }
  const lower = wanted.toLowerCase();
  return (name) => typeof name === 'string' && name.toLowerCase().includes(lower);
}

interface Row<T> {
  readonly item: T;
  row: JsonObject;
  full: boolean;
}

/**
 * A list reply as RabbitMQ's: sorted (`sort`, `sort_reverse`, then the default sort), and with
 * `page` a page object `{filtered_count, item_count, items, page, page_count, page_size,
 * total_count}` filtered by `name` (`use_regex`); `columns` applies to the rows.
 */
export function replyList<T>(query: URLSearchParams, spec: ListSpec<T>): Reply {
  const pagination = parsePagination(query);
  const defaultSort = spec.defaultSort ?? ['vhost', 'name'];
  const sortParam = query.get('sort');
  const sortKeys = sortParam === null || sortParam === '' ? defaultSort : [sortParam, ...defaultSort.filter((k) => k !== sortParam)];
  const paths = sortKeys.map((k) => k.split('.'));
  const basicOnly = sortKeys.every((k) => spec.basicColumns.includes(k));
  let rows: Row<T>[] = [];
  for (const item of spec.items) rows.push(basicOnly ? { item, row: spec.basic(item), full: false } : { item, row: spec.format(item), full: true });
  const keyed = rows.map((r) => ({ r, key: paths.map((p) => dottedValue(r.row, p)) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  rows = keyed.map((k) => k.r);
  if (query.get('sort_reverse') === 'true') rows.reverse();
  const columns = parseColumns(query) ?? 'all';
  // Asked only for cheap columns (the web UI's `vhosts?columns=name`): no full rows at all.
  const cheapColumns = columns !== 'all' && columns.every((c) => c.length === 1 && spec.basicColumns.includes(c[0]!));
  const finish = (selected: readonly Row<T>[]): Json[] =>
    selected.map((r) => extractColumns(r.full ? r.row : cheapColumns ? spec.basic(r.item) : spec.format(r.item), columns));
  if (pagination === undefined) return new Reply(200, finish(rows));
  const total = rows.length;
  const keep = nameFilter(pagination);
  const filtered = keep === undefined ? rows : rows.filter((r) => keep(r.row['name']));
  const start = (pagination.page - 1) * pagination.pageSize;
  // Like Erlang's lists:sublist: a page may start just past the end (empty), not further.
  if (start > filtered.length) {
    throw new HttpError(
      400,
      'page_out_of_range',
      `Page out of range, page: ${pagination.page} page size: ${pagination.pageSize}, len: ${filtered.length}`,
    );
  }
  const items = finish(filtered.slice(start, start + pagination.pageSize));
  return new Reply(200, {
    filtered_count: filtered.length,
    item_count: items.length,
    items,
    page: pagination.page,
    page_count: Math.ceil(filtered.length / pagination.pageSize),
    page_size: pagination.pageSize,
    total_count: total,
  });
}
