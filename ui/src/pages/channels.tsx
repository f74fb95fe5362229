import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function ChannelsPage({ args }: PageProps) {
  return <p>ChannelsPage {args.join('/')}</p>;
}
