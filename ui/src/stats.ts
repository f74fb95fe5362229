/** The API's statistics shapes the pages read (RabbitMQ's `message_stats` and `*_details`). */
import type { ChartSeries, Details } from './components/chart.js';

export interface MessageStats {
  readonly publish?: number;
  readonly publish_details?: Details;
  readonly publish_in?: number;
  readonly publish_in_details?: Details;
  readonly publish_out?: number;
  readonly publish_out_details?: Details;
  readonly confirm?: number;
  readonly confirm_details?: Details;
  readonly deliver_get?: number;
  readonly deliver_get_details?: Details;
  readonly redeliver?: number;
  readonly redeliver_details?: Details;
  readonly ack?: number;
  readonly ack_details?: Details;
  readonly return_unroutable?: number;
  readonly return_unroutable_details?: Details;
}

export interface Lengths {
  readonly messages?: number;
  readonly messages_details?: Details;
  readonly messages_ready?: number;
  readonly messages_ready_details?: Details;
  readonly messages_unacknowledged?: number;
  readonly messages_unacknowledged_details?: Details;
}

export const COLORS = {
  ready: '#e6a23c',
  unacked: '#5b8ff9',
  total: '#888888',
  publish: '#e6a23c',
  confirm: '#9b59b6',
  deliver: '#5b8ff9',
  redeliver: '#e74c3c',
  ack: '#2ca02c',
  publishOut: '#5b8ff9',
} as const;

/** "Queued messages": ready, unacked and total over time. */
export function lengthSeries(l: Lengths | undefined): ChartSeries[] {
  return [
    { label: 'Ready', color: COLORS.ready, details: l?.messages_ready_details, current: l?.messages_ready ?? 0 },
    { label: 'Unacked', color: COLORS.unacked, details: l?.messages_unacknowledged_details, current: l?.messages_unacknowledged ?? 0 },
    { label: 'Total', color: COLORS.total, details: l?.messages_details, current: l?.messages ?? 0 },
  ];
}

/** "Message rates": in (publish) and out (deliver/get, ack), for a queue, a vhost or the node. */
export function rateSeries(m: MessageStats | undefined, withConfirm: boolean): ChartSeries[] {
  const series: ChartSeries[] = [{ label: 'Publish', color: COLORS.publish, details: m?.publish_details }];
  if (withConfirm) series.push({ label: 'Publisher confirm', color: COLORS.confirm, details: m?.confirm_details });
  series.push(
    { label: 'Deliver / get', color: COLORS.deliver, details: m?.deliver_get_details },
    { label: 'Redelivered', color: COLORS.redeliver, details: m?.redeliver_details },
    { label: 'Consumer ack', color: COLORS.ack, details: m?.ack_details },
  );
  return series;
}
