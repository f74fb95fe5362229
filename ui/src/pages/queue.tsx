import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function QueuePage({ args }: PageProps) {
  return <p>QueuePage {args.join('/')}</p>;
}
