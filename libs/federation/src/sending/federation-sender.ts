import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { isValidUserId, parseUserId, toPdu, type JsonObject, type RoomEvent } from '@hearth/protocol';
import { EventStream, FederatedRoomsService, ReceiptsService, TypingService, type ReceiptChange, type TypingChange } from '@hearth/rooms';
import { FederationClient } from '../client/federation-client';
import { FederationPolicy } from '../policy/federation-policy';
import { DestinationQueue } from './destination-queue';

/**
 * Sends our users' new events to every other server in their rooms (and to the target's server
 * of a membership change), through one queue per destination. Events from other servers are
 * not relayed: their origin sends them.
 */
@Injectable()
export class FederationSender implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FederationSender.name);
  private readonly queues = new Map<string, DestinationQueue>();
  /** Committed batches are routed one after another, so each destination gets them in commit order. */
  private routing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly stream: EventStream,
    private readonly rooms: FederatedRoomsService,
    private readonly client: FederationClient,
    private readonly policy: FederationPolicy,
    private readonly typing: TypingService,
    private readonly receipts: ReceiptsService,
  ) {}

  onModuleInit(): void {
    this.stream.onCommit((change) => {
      const ours = change.events.filter((event) => this.isLocalUser(event.sender));
      if (ours.length === 0) return;
      this.inOrder(() => this.route(ours));
    });
    this.typing.onTypingSet((change) => this.inOrder(() => this.sendTyping(change)));
    this.receipts.onReceiptSet((receipt) => this.inOrder(() => this.sendReceipt(receipt)));
  }

  /** EDUs go through the same chain as events, so a receipt never overtakes the event it is for. */
  private inOrder(work: () => Promise<void>): void {
    this.routing = this.routing.then(work).catch((error: unknown) => this.logger.error(`routing to other servers failed: ${String(error)}`));
  }

  /** Spec SS API "Typing Notifications": `m.typing` to the room's other servers. */
  private async sendTyping({ roomId, userId, typing }: TypingChange): Promise<void> {
    if (!this.isLocalUser(userId)) return;
    this.sendEdus(await this.otherServers(roomId), [{ edu_type: 'm.typing', content: { room_id: roomId, user_id: userId, typing } }]);
  }

  /** Spec SS API "Receipts": public read receipts only; private receipts and read markers stay here. */
  private async sendReceipt(receipt: ReceiptChange): Promise<void> {
    if (receipt.type !== 'm.read' || !this.isLocalUser(receipt.userId)) return;
    const data = { ts: receipt.ts, ...(receipt.threadId !== undefined ? { thread_id: receipt.threadId } : {}) };
    const content = { [receipt.roomId]: { 'm.read': { [receipt.userId]: { event_ids: [receipt.eventId], data } } } };
    this.sendEdus(await this.otherServers(receipt.roomId), [{ edu_type: 'm.receipt', content }]);
  }

  private async otherServers(roomId: string): Promise<string[]> {
    return (await this.rooms.serversInRoom(roomId)).filter((server) => server !== this.config.serverName);
  }

  async onModuleDestroy(): Promise<void> {
    await this.routing;
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }

  /** EDUs (typing, receipts, device lists) for the given servers. */
  sendEdus(destinations: Iterable<string>, edus: readonly JsonObject[]): void {
    for (const destination of destinations) this.queueFor(destination)?.enqueue([], edus);
  }

  private async route(events: readonly RoomEvent[]): Promise<void> {
    const byRoom = new Map<string, RoomEvent[]>();
    for (const event of events) byRoom.set(event.room_id, [...(byRoom.get(event.room_id) ?? []), event]);
    for (const [roomId, roomEvents] of byRoom) {
      const version = await this.rooms.roomVersion(roomId);
      const destinations = new Set(await this.rooms.serversInRoom(roomId));
      for (const event of roomEvents) {
        if (event.type === 'm.room.member' && event.state_key !== undefined && isValidUserId(event.state_key)) destinations.add(parseUserId(event.state_key).serverName);
      }
      const pdus = roomEvents.map((event) => toPdu(event, version?.roomIdFromCreateEvent ?? false));
      for (const destination of destinations) this.queueFor(destination)?.enqueue(pdus);
    }
  }

  private queueFor(destination: string): DestinationQueue | undefined {
    if (destination === this.config.serverName || !this.policy.allows(destination)) return undefined;
    let queue = this.queues.get(destination);
    if (!queue) {
      queue = new DestinationQueue(
        destination,
        { send: (to, txnId, pdus, edus) => this.sendTransaction(to, txnId, pdus, edus) },
        (error, retryInMs) => this.logger.warn(`sending to ${destination} failed, retrying in ${Math.round(retryInMs)} ms: ${(error as Error).message}`),
      );
      this.queues.set(destination, queue);
    }
    return queue;
  }

  private async sendTransaction(destination: string, txnId: string, pdus: readonly JsonObject[], edus: readonly JsonObject[]): Promise<void> {
    await this.client.request(destination, {
      method: 'PUT',
      path: `/_matrix/federation/v1/send/${encodeURIComponent(txnId)}`,
      body: { origin: this.config.serverName, origin_server_ts: Date.now(), pdus: [...pdus], edus: [...edus] },
    });
  }

  private isLocalUser(userId: string): boolean {
    return userId.endsWith(`:${this.config.serverName}`);
  }
}
