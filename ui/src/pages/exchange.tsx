import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function ExchangePage({ args }: PageProps) {
  return <p>ExchangePage {args.join('/')}</p>;
}
