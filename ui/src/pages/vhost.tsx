import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function VhostPage({ args }: PageProps) {
  return <p>VhostPage {args.join('/')}</p>;
}
