/** The push queue: the delivery queue's contract, its jobs keyed by pusher ID (docs/push.md). */
export const PUSH_QUEUE = Symbol('PUSH_QUEUE');
