/**
 * Hash routes, as RabbitMQ's UI has them: `#/queues/%2F/orders`. Every page is served from `/`, so
 * a reload or a bookmark opens the same page and the server needs no route table of its own.
 */
import { useEffect, useState } from 'preact/hooks';

/** The current path split into decoded segments: `#/queues/%2F/a` → ['queues', '/', 'a']. */
export function currentRoute(): string[] {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = ''] = hash.split('?');
  return path === '' ? [] : path.split('/').map((s) => decodeURIComponent(s));
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onChange = (): void => setRoute(currentRoute());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** A link target for the segments, each percent-encoded. */
export function href(...segments: string[]): string {
  return `#/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

export function navigate(...segments: string[]): void {
  location.hash = href(...segments);
}
