import { MethodId, type Method } from '../protocol/generated/methods.js';
import type { Message } from '../queue/message.js';
import { preconditionFailed } from '../broker/errors.js';
import type { Channel, Unacked } from './channel.js';

/** Publishes and acks held back until tx.commit. */
export interface Transaction {
  readonly publishes: Array<{ readonly message: Message; readonly mandatory: boolean; readonly extraKeys: readonly string[] }>;
  /** requeue undefined = ack; true/false = reject/nack with or without requeue. */
  readonly settles: Array<{ readonly deliveries: readonly Unacked[]; readonly requeue: boolean | undefined }>;
}

/** tx.* and confirm.select. */
export function handleTxMethod(ch: Channel, method: Method): boolean {
  switch (method.id) {
    case MethodId.TxSelect:
      if (ch.confirmMode) throw preconditionFailed('cannot switch from confirm to tx mode');
      if (ch.tx === null) ch.tx = { publishes: [], settles: [] };
      ch.send({ id: MethodId.TxSelectOk });
      return true;
    case MethodId.TxCommit: {
      const tx = ch.tx;
      if (tx === null) throw preconditionFailed('channel is not transactional');
      ch.tx = { publishes: [], settles: [] };
      let stored = false;
      for (const p of tx.publishes) if (ch.route(p.message, p.mandatory, p.extraKeys) === 'stored') stored = true;
      for (const s of tx.settles) ch.settle(s.deliveries, s.requeue);
      // commit-ok means the transaction's persistent messages are on disk.
      if (stored) ch.connection.holdOutputUntilDurable();
      ch.send({ id: MethodId.TxCommitOk });
      return true;
    }
    case MethodId.TxRollback: {
      const tx = ch.tx;
      if (tx === null) throw preconditionFailed('channel is not transactional');
      ch.tx = { publishes: [], settles: [] };
      if (tx.settles.length > 0) restoreUnacked(ch, tx);
      ch.send({ id: MethodId.TxRollbackOk });
      return true;
    }
    case MethodId.ConfirmSelect:
      if (ch.tx !== null) throw preconditionFailed('cannot switch from tx to confirm mode');
      ch.confirmMode = true;
      if (!method.noWait) ch.send({ id: MethodId.ConfirmSelectOk });
      return true;
    default:
      return false;
  }
}

/** Acks made inside a rolled-back transaction are outstanding again, in delivery-tag order. */
function restoreUnacked(ch: Channel, tx: Transaction): void {
  const all = new Map<number, Unacked>(ch.unacked);
  for (const s of tx.settles) for (const d of s.deliveries) all.set(d.tag, d);
  ch.unacked.clear();
  for (const tag of [...all.keys()].sort((a, b) => a - b)) ch.unacked.set(tag, all.get(tag)!);
}
