/**
 * A server-side paginated, sortable, filterable table of an API list (`/api/queues`...): the
 * browser only ever holds one page, so a broker with 10,000 queues shows its first page as fast as
 * one with ten. Sorting, the name filter (optionally a regular expression) and the page size are
 * the API's own `sort`, `name`, `use_regex`, `page` and `page_size` parameters.
 */
import type { ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { query } from '../api.js';
import { count } from '../format.js';
import { usePoll } from '../poll.js';
import { Options } from './options.js';
import { ErrorBox } from './ui.js';

export interface Column<T> {
  readonly label: string;
  /** The API's sort key for this column; unsortable without one. */
  readonly sort?: string;
  readonly numeric?: boolean;
  readonly render: (row: T) => ComponentChild;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly page_count: number;
  readonly page_size: number;
  readonly filtered_count: number;
  readonly item_count: number;
  readonly total_count: number;
}

export interface PagedTableProps<T> {
  /** The API list path without query, e.g. `queues` or `queues/%2F`. */
  readonly path: string;
  readonly columns: readonly Column<T>[];
  readonly rowKey: (row: T) => string;
  /** Extra query parameters, e.g. `columns`. */
  readonly extra?: Record<string, string>;
  /** What the list is of, for "Showing 100 of 10,000 queues". */
  readonly noun: string;
  /** A short id for the page elements (tests and saved page sizes). */
  readonly id: string;
  /** Changing this number refetches the page now (after the page's own form changed the list). */
  readonly reloadSignal?: number;
}

const PAGE_SIZES = [20, 50, 100, 500];

function savedPageSize(id: string): number {
  const n = Number(localStorage.getItem(`warren.pageSize.${id}`));
  return PAGE_SIZES.includes(n) ? n : 100;
}

export function PagedTable<T>({ path, columns, rowKey, extra, noun, id, reloadSignal }: PagedTableProps<T>) {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(() => savedPageSize(id));
  const [filter, setFilter] = useState('');
  const [typed, setTyped] = useState('');
  const [regex, setRegex] = useState(false);
  const [sort, setSort] = useState<string>(columns.find((c) => c.sort !== undefined)?.sort ?? 'name');
  const [reverse, setReverse] = useState(false);

  useEffect(() => {
    const t = setTimeout(() => setFilter(typed), 250);
    return () => clearTimeout(t);
  }, [typed]);
  useEffect(() => setPage(1), [filter, regex, pageSize, path]);

  const url =
    path +
    query({
      page,
      page_size: pageSize,
      name: filter === '' ? undefined : filter,
      use_regex: regex,
      sort,
      sort_reverse: reverse,
      pagination: true,
      ...extra,
    });
  const { data, error, reload } = usePoll<Page<T>>(url, { keepWhileLoading: true });
  useEffect(() => {
    if (reloadSignal !== undefined && reloadSignal > 0) reload();
  }, [reloadSignal, reload]);

  const sortBy = (key: string): void => {
    if (key === sort) setReverse(!reverse);
    else {
      setSort(key);
      setReverse(false);
    }
  };

  return (
    <div class="paged" data-list={id}>
      <div class="paged-controls">
        <label>
          Filter:{' '}
          <input type="search" name="filter" value={typed} placeholder="name" onInput={(e) => setTyped(e.currentTarget.value)} />
        </label>
        <label>
          <input type="checkbox" name="regex" checked={regex} onChange={(e) => setRegex(e.currentTarget.checked)} /> Regex
        </label>
        <label>
          Page size:{' '}
          <select
            name="page_size"
            value={pageSize}
            onChange={(e) => {
              const n = Number(e.currentTarget.value);
              localStorage.setItem(`warren.pageSize.${id}`, String(n));
              setPageSize(n);
            }}
          >
            <Options choices={PAGE_SIZES} />
          </select>
        </label>
        {data !== undefined && (
          <span class="paged-count" data-count={data.filtered_count}>
            {count(data.item_count)} of {count(data.filtered_count)} {noun}
            {data.filtered_count !== data.total_count ? ` (filtered from ${count(data.total_count)})` : ''}
          </span>
        )}
        {data !== undefined && data.page_count > 1 && (
          <span class="pager">
            <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              ‹ Prev
            </button>{' '}
            Page{' '}
            <select name="page" value={page} onChange={(e) => setPage(Number(e.currentTarget.value))}>
              <Options choices={Array.from({ length: data.page_count }, (_, i) => i + 1)} />
            </select>{' '}
            of {data.page_count}{' '}
            <button type="button" disabled={page >= data.page_count} onClick={() => setPage(page + 1)}>
              Next ›
            </button>
          </span>
        )}
      </div>
      {error !== undefined && <ErrorBox error={error} />}
      <table class="list">
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.label}
                class={`${c.numeric === true ? 'num' : ''} ${c.sort !== undefined ? 'sortable' : ''} ${c.sort === sort ? (reverse ? 'sorted-desc' : 'sorted-asc') : ''}`}
                onClick={c.sort !== undefined ? () => sortBy(c.sort!) : undefined}
              >
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data?.items.map((row) => (
            <tr key={rowKey(row)} data-row={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.label} class={c.numeric === true ? 'num' : ''}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
          {data !== undefined && data.items.length === 0 && (
            <tr>
              <td colSpan={columns.length} class="empty">
                No {noun}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
