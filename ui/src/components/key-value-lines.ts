/**
 * "key=value per line" text, as the forms' arguments and headers boxes take it: blank lines are
 * skipped, keys and values trimmed, a later line for a key wins. Values stay strings (RabbitMQ's
 * forms' default type) unless a typing function turns them into something else.
 */
export function parseKeyValueLines(raw: string, noun: string): Record<string, string>;
export function parseKeyValueLines<V>(raw: string, noun: string, typed: (key: string, value: string) => V): Record<string, V>;
export function parseKeyValueLines(raw: string, noun: string, typed: (key: string, value: string) => unknown = (_key, value) => value): Record<string, unknown> {
  const entries: Record<string, unknown> = {};
  for (const line of raw.split('\n')) {
    if (line.trim() === '') continue;
    const i = line.indexOf('=');
    if (i <= 0) throw new Error(`${noun} "${line.trim()}" is not key=value`);
    const key = line.slice(0, i).trim();
    entries[key] = typed(key, line.slice(i + 1).trim());
  }
  return entries;
}
