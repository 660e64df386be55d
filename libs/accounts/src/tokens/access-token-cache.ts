import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PostgresNotifications, TransactionRunner, type ChannelListener } from '@hearth/storage';
import type { AccessTokenOwner } from './access-token-owner';

/** The channel the AccessTokenNotifications migration's triggers notify. */
const CHANNEL = 'hearth_access_tokens';
const MAX_ENTRIES = 50_000;
/** A bound on staleness should a notification ever go missing unnoticed; not what keeps entries right. */
const MAX_AGE_MS = 10 * 60 * 1000;

interface Entry {
  readonly owner: AccessTokenOwner;
  readonly storedAt: number;
}

/**
 * The owners of access tokens this process has seen, so that a request does not cost a query
 * to find who sent it. Entries are dropped when PostgreSQL reports a token or its user changed
 * (triggers notify on every update and delete, whatever made it); while this process is not
 * listening, nothing is cached at all. A lookup that raced with a change is not kept.
 */
@Injectable()
export class AccessTokenCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private listening = false;
  /** Moves on every change heard and every change of listening; a lookup that saw it move is not kept. */
  private generation = 0;
  private listener: ChannelListener | undefined;

  constructor(
    private readonly notifications: PostgresNotifications,
    private readonly tx: TransactionRunner,
  ) {}

  onModuleInit(): void {
    this.listener = this.notifications.listen(CHANNEL, {
      message: (payload) => this.forget(payload),
      live: (isLive) => {
        this.listening = isLive;
        this.generation++;
        this.entries.clear();
      },
    });
  }

  /** Whether lookups are being kept: only while every change will be heard. */
  get isListening(): boolean {
    return this.listening;
  }

  /** Stops keeping lookups first: requests still answered during shutdown hear no notifications any more. */
  async onModuleDestroy(): Promise<void> {
    this.listening = false;
    this.generation++;
    this.entries.clear();
    await this.listener?.close();
  }

  /** The owner of the token with `tokenHash`, from memory or else from `read`. */
  async lookup(
    tokenHash: Buffer,
    read: () => Promise<AccessTokenOwner | undefined>,
    now = Date.now(),
  ): Promise<AccessTokenOwner | undefined> {
    const key = tokenHash.toString('hex');
    const entry = this.entries.get(key);
    if (entry && now - entry.storedAt < MAX_AGE_MS) return entry.owner;
    if (entry) this.entries.delete(key);
    const generation = this.generation;
    const owner = await read();
    if (owner && this.listening && generation === this.generation && isSettled(owner))
      this.remember(key, { owner, storedAt: now });
    return owner;
  }

  /**
   * For this process's own changes, which its requests must see at once (a logout answered, then
   * the token refused), without waiting for the notification to come round: forgets the
   * matching entries now and again once `em`'s writes are committed.
   */
  forgetWhenCommitted(
    em: EntityManager,
    match: { userId: string } | { tokenId: number } | { refreshTokenId: number },
  ): void {
    const matches = (owner: AccessTokenOwner) =>
      'userId' in match
        ? owner.userId === match.userId
        : 'tokenId' in match
          ? owner.tokenId === match.tokenId
          : owner.refreshTokenId === match.refreshTokenId;
    const forget = () => this.forgetWhere(matches);
    forget();
    this.tx.whenCommitted(em, forget);
  }

  private remember(key: string, entry: Entry): void {
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, entry);
  }

  /** A notification: `t:<token hash in hex>` or `u:<user ID>`; anything else forgets everything. */
  private forget(payload: string): void {
    if (payload.startsWith('t:')) {
      this.generation++;
      this.entries.delete(payload.slice(2));
    } else if (payload.startsWith('u:')) {
      const userId = payload.slice(2);
      this.forgetWhere((owner) => owner.userId === userId);
    } else {
      this.forgetWhere(() => true);
    }
  }

  private forgetWhere(matches: (owner: AccessTokenOwner) => boolean): void {
    this.generation++;
    for (const [key, entry] of this.entries) if (matches(entry.owner)) this.entries.delete(key);
  }
}

/** A refreshed token's first use still has to retire its predecessor: that one goes to the database. */
function isSettled(owner: AccessTokenOwner): boolean {
  return owner.used || owner.refreshTokenId === null;
}
