import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function VhostsPage({ args }: PageProps) {
  return <p>VhostsPage {args.join('/')}</p>;
}
