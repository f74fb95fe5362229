/** A page gets the route's segments after its own name: `#/queues/%2F/a` → ['/', 'a']. */
export interface PageProps {
  readonly args: readonly string[];
}
