import type { JsonObject } from '@hearth/protocol';
import type { ReceiptRow } from './receipt.repository';

/** Spec "Receipts": `{ eventId: { receiptType: { userId: { ts, thread_id? } } } }`. */
export function receiptContent(receipts: readonly ReceiptRow[]): JsonObject {
  const content: Record<string, Record<string, Record<string, JsonObject>>> = {};
  for (const r of receipts) {
    const byType = (content[r.eventId] ??= {});
    const byUser = (byType[r.receiptType] ??= {});
    byUser[r.userId] = { ts: r.ts, ...(r.threadId !== '' ? { thread_id: r.threadId } : {}) };
  }
  return content;
}
