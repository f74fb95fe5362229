/** RabbitMQ's feature badges of exchanges and queues (D, AD, TTL, AE, Args…). */
import { argText } from '../format.js';

/** A badge: its short name, and its full meaning for the tooltip. */
export type Badge = readonly [short: string, title: string];

/** The badges of arguments: the known ones by their short names, in the table's order; the others together as "Args". */
export function argumentBadges(args: Readonly<Record<string, unknown>>, known: readonly (readonly [key: string, short: string])[]): Badge[] {
  const badges: Badge[] = [];
  for (const [key, short] of known) {
    if (key in args) badges.push([short, `${key}: ${argText(args[key])}`]);
  }
  const others = Object.entries(args).filter(([k]) => !known.some(([key]) => key === k));
  if (others.length > 0) badges.push(['Args', others.map(([k, v]) => `${k}: ${argText(v)}`).join('\n')]);
  return badges;
}

export function FeatureBadges({ badges }: { badges: readonly Badge[] }) {
  return (
    <span class="features">
      {badges.map(([short, title]) => (
        <abbr key={short} class="feature" title={title} data-feature={short}>
          {short}
        </abbr>
      ))}
    </span>
  );
}
