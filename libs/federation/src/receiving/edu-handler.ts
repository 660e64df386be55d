import { Injectable, Logger } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import type { z } from 'zod';
import {
  Edu,
  isKnownEduType,
  isValidUserId,
  MAX_EVENT_DEPTH,
  parseEduContent,
  parseUserId,
  presenceEntries,
  unstorableJsonReason,
  type ParsedEdu,
  type ReceiptEdu,
  type TypingEdu,
} from '@hearth/protocol';
import { PresenceService } from '@hearth/accounts';
import { DeviceListsService, ToDeviceService } from '@hearth/e2ee';
import { FederatedRoomsService, ReceiptsService, TypingService } from '@hearth/rooms';

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
    for (const item of edus) {
      const envelope = Edu.safeParse(item);
      if (!envelope.success) {
        this.logger.debug(`dropped an EDU from ${origin} that is not one: ${envelope.error.issues[0]?.message}`);
        continue;
      }
      const { edu_type: type, content } = envelope.data;
      // The transaction's body parser left strings to us, so that one bad EDU or PDU sinks only itself.
      const unstorable = unstorableJsonReason(item, { maxDepth: MAX_EVENT_DEPTH });
      if (unstorable !== undefined) {
        this.logger.debug(`dropped an EDU of type ${JSON.stringify(type)} from ${origin}: ${unstorable}`);
        continue;
      }
      if (!isKnownEduType(type)) {
        this.logger.debug(`ignored an EDU of type ${JSON.stringify(type)} from ${origin}`);
        continue;
      }
      const parsed = parseEduContent(type, content);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        this.logger.debug(`dropped a malformed ${type} EDU from ${origin}: ${issue?.path.join('.')} ${issue?.message}`);
        continue;
      }
      try {
        await this.handleOne(origin, parsed.edu);
      } catch (error) {
        if (!(error instanceof MatrixError)) this.logger.warn(`EDU ${type} from ${origin} failed: ${String(error)}`);
      }
    }
  }

  private async handleOne(origin: string, edu: ParsedEdu): Promise<void> {
    switch (edu.type) {
      case 'm.typing':
        return this.handleTyping(origin, edu.content);
      case 'm.receipt':
        return this.handleReceipts(origin, edu.content);
      case 'm.direct_to_device':
        return this.toDevice.receiveRemote(origin, edu.content);
      case 'm.device_list_update':
      case 'm.signing_key_update':
        return this.handleDeviceListUpdate(origin, edu.content.user_id);
      case 'm.presence':
        return this.presence.receiveRemote(origin, presenceEntries(edu.content));
    }
  }

  private async handleTyping(origin: string, { room_id: roomId, user_id: userId, typing }: z.output<typeof TypingEdu>) {
    if (!this.isFrom(origin, userId) || !(await this.rooms.isServerAllowed(roomId, origin))) return;
    await this.typing.setTyping(roomId, userId, userId, typing, REMOTE_TYPING_TIMEOUT_MS);
  }

  private async handleReceipts(origin: string, content: z.output<typeof ReceiptEdu>): Promise<void> {
    for (const [roomId, byType] of Object.entries(content)) {
      const reads = byType['m.read'];
      if (!reads || !(await this.rooms.isServerAllowed(roomId, origin))) continue;
      for (const [userId, receipt] of Object.entries(reads)) {
        const eventId = receipt.event_ids[0];
        if (eventId !== undefined && this.isFrom(origin, userId))
          await this.receipts.setReceipt(roomId, userId, 'm.read', eventId, receipt.data?.thread_id);
      }
    }
  }

  /**
   * Our users who share a room with the user hear of the change in sync and query the keys
   * afresh; we keep no copy of other servers' device lists, so there is nothing to resync.
   */
  private async handleDeviceListUpdate(origin: string, userId: string): Promise<void> {
    if (!this.isFrom(origin, userId)) return;
    await this.deviceLists.recordRemoteChange(userId);
  }

  private isFrom(origin: string, userId: string): boolean {
    return isValidUserId(userId) && parseUserId(userId).serverName === origin;
  }
}
