/** An event the auth rules refuse (spec "Checks performed on receipt of a PDU", steps 4 and 5): not stored. */
export class RejectedEventError extends Error {
  constructor(
    readonly eventId: string,
    reason: string,
  ) {
    super(`${eventId} was rejected: ${reason}`);
    this.name = 'RejectedEventError';
  }
}

/** We lack events that must be fetched before this one can be judged. */
export class MissingEventsError extends Error {
  constructor(
    readonly eventId: string,
    readonly missing: readonly string[],
    readonly kind: 'prev' | 'auth',
  ) {
    super(`${eventId} refers to ${missing.length} unknown ${kind} event(s)`);
    this.name = 'MissingEventsError';
  }
}
