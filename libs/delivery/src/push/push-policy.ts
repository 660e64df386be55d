import type { EntityManager } from 'typeorm';
import type { CommittedNotification } from '@hearth/rooms';

/**
 * Whether a notification may go to the user's phones at all: the one check the feed asks before it
 * enqueues anything (a schedule of off-hours for work accounts plugs in here). A notification
 * held back still counts as unread and still shows in /sync and GET /notifications.
 */
export interface PushPolicy {
  /** `em` is the feed's connection: a policy that reads the database reads through it. */
  allows(notification: CommittedNotification, now: number, em: EntityManager): boolean | Promise<boolean>;
}

export const PUSH_POLICY = Symbol('PUSH_POLICY');

/** The default: every notification the push rules produced is pushed. */
export const PUSH_EVERYTHING: PushPolicy = { allows: () => true };
