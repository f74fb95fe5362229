import type { PageProps } from './page.js';

// Placeholder until this page is written.
export function ChannelPage({ args }: PageProps) {
  return <p>ChannelPage {args.join('/')}</p>;
}
