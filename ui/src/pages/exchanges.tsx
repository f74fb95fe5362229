import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function ExchangesPage({ args }: PageProps) {
  return <p>ExchangesPage {args.join('/')}</p>;
}
