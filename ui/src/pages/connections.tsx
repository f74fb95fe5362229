import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function ConnectionsPage({ args }: PageProps) {
  return <p>ConnectionsPage {args.join('/')}</p>;
}
