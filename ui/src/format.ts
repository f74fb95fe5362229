/** How numbers, rates, sizes and times are shown. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const small = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });

export function count(n: number | undefined): string {
  return n === undefined ? '' : integer.format(n);
}

/** A rate per second as RabbitMQ's UI shows it: "0.00/s", "12/s", "1,234/s". */
export function rate(r: number | undefined): string {
  if (r === undefined) return '';
  if (r === 0) return '0.00/s';
  if (Math.abs(r) < 10) return `${small.format(r)}/s`;
  if (Math.abs(r) < 100) return `${decimal.format(r)}/s`;
  return `${integer.format(r)}/s`;
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${decimal.format(v)} ${units[u]}`;
}

/** A data rate as the API gives it (`*_oct_details`): "1.2 KiB/s"; '' when there are no details. */
export function byteRate(d: { readonly rate?: number } | undefined): string {
  return d === undefined ? '' : `${bytes(Math.round(d.rate ?? 0))}/s`;
}

export function time(ms: number | undefined): string {
  if (ms === undefined) return '';
  return new Date(ms).toLocaleString();
}

export function yesNo(b: boolean | undefined): string {
  return b === true ? 'yes' : b === false ? 'no' : '';
}

/** An argument or property value as text: strings as they are, anything else as JSON. */
export function argText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
