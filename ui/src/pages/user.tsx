import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function UserPage({ args }: PageProps) {
  return <p>UserPage {args.join('/')}</p>;
}
