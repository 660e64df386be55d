/** Who hears a LISTEN channel, from PostgresNotifications or, on the embedded database, EmbeddedChannels. */
export interface ChannelSubscriber {
  /** A NOTIFY on the channel; PostgreSQL sends it when the notifying transaction commits. */
  message(payload: string): void;
  /**
   * True once every notification from now on will arrive; false when the connection is lost
   * and some may have been missed. What was derived from earlier messages is stale then.
   */
  live(isLive: boolean): void;
}

export interface ChannelListener {
  close(): Promise<void>;
}
