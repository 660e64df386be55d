import type { JsonObject } from '@hearth/protocol';
import type { UnreadCounts } from '../push/notification-counts';

export interface UnreadNotifications {
  readonly main: JsonObject;
  readonly threads?: JsonObject;
}

/**
 * Spec "Receiving notifications": one room's counts by thread ('' is the main timeline), as
 * `unread_notifications`, and `unread_thread_notifications` apart when the client asks for them;
 * otherwise the threads' counts are folded into the main one.
 */
export function unreadNotifications(
  counts: ReadonlyMap<string, UnreadCounts>,
  perThread: boolean,
): UnreadNotifications {
  if (!perThread) {
    let notifications = 0;
    let highlights = 0;
    for (const c of counts.values()) {
      notifications += c.notification_count;
      highlights += c.highlight_count;
    }
    return { main: { notification_count: notifications, highlight_count: highlights } };
  }
  const threads: JsonObject = {};
  for (const [threadId, c] of counts) if (threadId !== '') threads[threadId] = { ...c };
  return { main: { ...(counts.get('') ?? { notification_count: 0, highlight_count: 0 }) }, threads };
}
