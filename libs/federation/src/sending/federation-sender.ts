import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { DeliveryService } from '@hearth/delivery';
import { edu, type JsonObject } from '@hearth/protocol';
import { FederationPolicy } from '@hearth/federation-client';
import { FederatedRoomsService } from '@hearth/rooms';
import { ChangeBus, type PresenceChange, type ReceiptChange, type TypingChange } from '@hearth/storage';

/**
 * Outbound EDUs, into the durable outbox of libs/delivery: typing, receipts, to-device and device
 * lists as they happen. (Our users' events reach the outbox from rooms through its outbox port, in
 * the transaction that commits them.) The delivery queue sends both as `PUT /send/{txnId}`.
 */
@Injectable()
export class FederationSender implements OnModuleInit {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly delivery: DeliveryService,
    private readonly rooms: FederatedRoomsService,
    private readonly policy: FederationPolicy,
    private readonly bus: ChangeBus,
  ) {}

  onModuleInit(): void {
    // Typing set through this process (not expiries, not other processes' changes, which their own process sends).
    this.bus.subscribe(['typing'], 'FederationSender (m.typing)', (change) =>
      change.source === 'request' ? this.sendTyping(change.typing) : undefined,
    );
    this.bus.subscribe(['receipts'], 'FederationSender (m.receipt)', (change) => this.sendReceipt(change.receipt));
    // Published only when presence is on; other servers' users' presence is theirs to send.
    this.bus.subscribe(['presence'], 'FederationSender (m.presence)', (change) =>
      change.presence.source === 'local' ? this.sendPresence(change.presence) : undefined,
    );
  }

  /** EDUs for the given servers, recorded durably unless `droppable` (typing) says late is worthless anyway. */
  async sendEdus(
    destinations: Iterable<string>,
    edus: readonly JsonObject[],
    options: { droppable?: boolean } = {},
  ): Promise<void> {
    const allowed = [...destinations].filter(
      (destination) => destination !== this.config.serverName && this.policy.allows(destination),
    );
    await this.delivery.recordEdus(allowed, edus, options);
  }

  /** Spec SS API "Typing Notifications": `m.typing` to the room's other servers. */
  private async sendTyping({ roomId, userId, typing }: TypingChange): Promise<void> {
    if (!this.isLocalUser(userId)) return;
    await this.sendEdus(
      await this.otherServers(roomId),
      [edu('m.typing', { room_id: roomId, user_id: userId, typing })],
      { droppable: true },
    );
  }

  /** Spec SS API "Receipts": public read receipts only; private receipts and read markers stay here. */
  private async sendReceipt(receipt: ReceiptChange): Promise<void> {
    if (receipt.type !== 'm.read' || !this.isLocalUser(receipt.userId)) return;
    const data = { ts: receipt.ts, ...(receipt.threadId !== undefined ? { thread_id: receipt.threadId } : {}) };
    const content = { [receipt.roomId]: { 'm.read': { [receipt.userId]: { event_ids: [receipt.eventId], data } } } };
    await this.sendEdus(await this.otherServers(receipt.roomId), [edu('m.receipt', content)]);
  }

  /** Spec SS API "Presence": to every server with a user in a room the user is joined to. */
  private async sendPresence(presence: PresenceChange): Promise<void> {
    if (!this.isLocalUser(presence.userId)) return;
    const push = {
      user_id: presence.userId,
      presence: presence.state,
      last_active_ago: Math.max(0, Date.now() - presence.lastActiveTs),
      currently_active: presence.state === 'online' && presence.currentlyActive,
      ...(presence.statusMsg !== null ? { status_msg: presence.statusMsg } : {}),
    };
    await this.sendEdus(await this.rooms.serversSharingRoomsWith(presence.userId), [
      edu('m.presence', { push: [push] }),
    ]);
  }

  private async otherServers(roomId: string): Promise<string[]> {
    return (await this.rooms.serversInRoom(roomId)).filter((server) => server !== this.config.serverName);
  }

  private isLocalUser(userId: string): boolean {
    return userId.endsWith(`:${this.config.serverName}`);
  }
}
