import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function ConnectionPage({ args }: PageProps) {
  return <p>ConnectionPage {args.join('/')}</p>;
}
