import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function UsersPage({ args }: PageProps) {
  return <p>UsersPage {args.join('/')}</p>;
}
