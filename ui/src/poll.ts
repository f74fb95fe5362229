/**
 * Data that refreshes itself: `usePoll(path)` fetches the API path now and again every few seconds
 * (the refresh interval chosen in the header), and again at once when `reload()` is called after a
 * change. The previous data stays on screen while a refresh is in flight.
 */
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get } from './api.js';

/** Milliseconds between refreshes; 0 = manual only. */
export const RefreshContext = createContext<number>(5000);

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  reload(): void;
}

export interface PollOptions {
  /**
   * Keep the previous path's data on screen until the new path's arrives (a paged table turning a
   * page or re-sorting), instead of clearing it (a detail page showing another object).
   */
  readonly keepWhileLoading?: boolean;
}

export function usePoll<T>(path: string | null, options: PollOptions = {}): Polled<T> {
  const keep = options.keepWhileLoading === true;
  const interval = useContext(RefreshContext);
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    if (keep) return;
    setData(undefined);
    setError(undefined);
  }, [path, keep]);

  useEffect(() => {
    if (path === null) return undefined;
    let stopped = false;
    const id = ++latest.current;
    const load = (): void => {
      setLoading(true);
      get<T>(path).then(
        (d) => {
          if (stopped || id !== latest.current) return;
          setData(d);
          setError(undefined);
          setLoading(false);
        },
        (e: unknown) => {
          if (stopped || id !== latest.current) return;
          setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
          setLoading(false);
        },
      );
    };
    load();
    const timer = interval > 0 ? setInterval(load, interval) : undefined;
    return () => {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
    };
  }, [path, interval, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
