/** One committed notification: an event that, by a member's push rules, notifies them. */
export interface CommittedNotification {
  readonly userId: string;
  readonly roomId: string;
  readonly eventId: string;
  readonly streamOrdering: number;
  readonly highlight: boolean;
}
