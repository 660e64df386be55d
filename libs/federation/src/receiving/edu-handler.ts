import { Injectable, Logger } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import {
  isJsonObject,
  isValidUserId,
  MAX_EVENT_DEPTH,
  parseUserId,
  unstorableJsonReason,
  type JsonObject,
} from '@hearth/protocol';
import { PresenceService } from '@hearth/accounts';
import { DeviceListsService, ToDeviceService } from '@hearth/e2ee';
import { FederatedRoomsService, ReceiptsService, TypingService } from '@hearth/rooms';
import { presenceEntries } from './presence-edu.schema';

/** Typing notices from other servers last this long unless renewed (the EDU carries no timeout). */
const REMOTE_TYPING_TIMEOUT_MS = 30_000;

/**
 * EDUs of an inbound transaction. Each one speaks only for users of the sending server; an EDU
 * about someone else's users, or about rooms they are not in, is dropped. Presence is kept only
 * when the operator turned it on.
 */
@Injectable()
export class EduHandler {
  private readonly logger = new Logger(EduHandler.name);

  constructor(
    private readonly typing: TypingService,
    private readonly receipts: ReceiptsService,
    private readonly rooms: FederatedRoomsService,
    private readonly toDevice: ToDeviceService,
    private readonly deviceLists: DeviceListsService,
    private readonly presence: PresenceService,
  ) {}

  async handle(origin: string, edus: readonly unknown[]): Promise<void> {
    for (const edu of edus) {
      if (!isJsonObject(edu) || typeof edu.edu_type !== 'string' || !isJsonObject(edu.content)) continue;
      // The transaction's body parser left strings to us, so that one bad EDU or PDU sinks only itself.
      const unstorable = unstorableJsonReason(edu, { maxDepth: MAX_EVENT_DEPTH });
      if (unstorable !== undefined) {
        this.logger.debug(`dropped an EDU of type ${JSON.stringify(edu.edu_type)} from ${origin}: ${unstorable}`);
        continue;
      }
      try {
        await this.handleOne(origin, edu.edu_type, edu.content);
      } catch (error) {
        if (!(error instanceof MatrixError))
          this.logger.warn(`EDU ${edu.edu_type} from ${origin} failed: ${String(error)}`);
      }
    }
  }

  private async handleOne(origin: string, type: string, content: JsonObject): Promise<void> {
    switch (type) {
      case 'm.typing':
        return this.handleTyping(origin, content);
      case 'm.receipt':
        return this.handleReceipts(origin, content);
      case 'm.direct_to_device':
        return this.toDevice.receiveRemote(origin, content);
      case 'm.device_list_update':
      case 'm.signing_key_update':
        return this.handleDeviceListUpdate(origin, content);
      case 'm.presence':
        return this.presence.receiveRemote(origin, presenceEntries(content));
      default:
        this.logger.debug(`ignored an EDU of type ${type} from ${origin}`);
    }
  }

  private async handleTyping(origin: string, content: JsonObject): Promise<void> {
    const { room_id: roomId, user_id: userId, typing } = content;
    if (
      typeof roomId !== 'string' ||
      typeof userId !== 'string' ||
      typeof typing !== 'boolean' ||
      !this.isFrom(origin, userId)
    )
      return;
    if (!(await this.rooms.isServerAllowed(roomId, origin))) return;
    await this.typing.setTyping(roomId, userId, userId, typing, REMOTE_TYPING_TIMEOUT_MS);
  }

  private async handleReceipts(origin: string, content: JsonObject): Promise<void> {
    for (const [roomId, byType] of Object.entries(content)) {
      if (!isJsonObject(byType) || !(await this.rooms.isServerAllowed(roomId, origin))) continue;
      for (const [type, byUser] of Object.entries(byType)) {
        if (type !== 'm.read' || !isJsonObject(byUser)) continue;
        for (const [userId, receipt] of Object.entries(byUser)) {
          if (!this.isFrom(origin, userId) || !isJsonObject(receipt) || !Array.isArray(receipt.event_ids)) continue;
          const eventId = receipt.event_ids.find((id): id is string => typeof id === 'string');
          const data = isJsonObject(receipt.data) ? receipt.data : {};
          const threadId = typeof data.thread_id === 'string' ? data.thread_id : undefined;
          if (eventId !== undefined) await this.receipts.setReceipt(roomId, userId, type, eventId, threadId);
        }
      }
    }
  }

  /**
   * Our users who share a room with the user hear of the change in sync and query the keys
   * afresh; we keep no copy of other servers' device lists, so there is nothing to resync.
   */
  private async handleDeviceListUpdate(origin: string, content: JsonObject): Promise<void> {
    const userId = content.user_id;
    if (typeof userId !== 'string' || !this.isFrom(origin, userId)) return;
    await this.deviceLists.recordRemoteChange(userId);
  }

  private isFrom(origin: string, userId: string): boolean {
    return isValidUserId(userId) && parseUserId(userId).serverName === origin;
  }
}
