import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function QueuesPage({ args }: PageProps) {
  return <p>QueuesPage {args.join('/')}</p>;
}
