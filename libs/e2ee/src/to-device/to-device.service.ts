import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { DevicesService } from '@hearth/accounts';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { isValidUserId, parseUserId } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { ToDeviceRepository, type ToDeviceMessage } from './to-device.repository';

/** Spec: `{ messages: { userId: { deviceId or "*": content } } }`. */
const SendToDeviceBody = z.object({
  messages: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))),
});

/** Synapse's figure: a sync hands a device at most this many messages; the rest come next time. */
const MAX_PER_SYNC = 100;

/**
 * Send-to-device messaging (spec CS API "Send-to-Device messaging") between local devices: a
 * message waits in its device's inbox until that device's sync acknowledges it, so it is
 * delivered once and never lost. Messages for other servers need federation (issue 6).
 */
@Injectable()
export class ToDeviceService {
  private readonly logger = new Logger(ToDeviceService.name);
  private readonly listeners: Array<(userIds: readonly string[]) => void> = [];

  constructor(
    private readonly inbox: ToDeviceRepository,
    private readonly devices: DevicesService,
    private readonly tx: TransactionRunner,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  /** Listeners hear, after commit, whose devices received messages (the sync notifier is one). */
  onDelivery(listener: (userIds: readonly string[]) => void): void {
    this.listeners.push(listener);
  }

  /** PUT /sendToDevice/{eventType}/{txnId}: idempotent per sending device and transaction ID. */
  async send(sender: { userId: string; deviceId: string }, type: string, txnId: string, body: unknown): Promise<void> {
    const parsed = SendToDeviceBody.safeParse(body);
    if (!parsed.success) throw MatrixError.badJson('messages must map user IDs to device IDs to message contents');
    if (type.length === 0 || type.length > 255) throw MatrixError.invalidParam('The event type must be 1-255 characters');
    const targets: Array<{ userId: string; deviceId: string; content: Record<string, unknown> }> = [];
    for (const [userId, byDevice] of Object.entries(parsed.data.messages)) {
      if (!isValidUserId(userId)) throw MatrixError.invalidParam(`${userId} is not a user ID`);
      if (parseUserId(userId).serverName !== this.config.serverName) {
        this.logger.warn('Dropped to-device messages for a user on another server: federation is not available yet');
        continue;
      }
      const existing = new Set((await this.devices.list(userId)).map((device) => device.deviceId));
      const wildcard = byDevice['*'];
      const chosen = new Map<string, Record<string, unknown>>();
      if (wildcard) for (const deviceId of existing) chosen.set(deviceId, wildcard);
      for (const [deviceId, content] of Object.entries(byDevice)) if (deviceId !== '*' && existing.has(deviceId)) chosen.set(deviceId, content);
      for (const [deviceId, content] of chosen) targets.push({ userId, deviceId, content });
    }
    const stored = await this.tx.run((em) => this.inbox.insert({ ...sender, txnId }, type, targets, em));
    if (stored && targets.length > 0) {
      const userIds = [...new Set(targets.map((t) => t.userId))];
      for (const listener of this.listeners) listener(userIds);
    }
  }

  /**
   * For the device's sync: drops what its token acknowledges (everything up to `since`), then
   * returns what is pending up to `upTo`, and the position the next token should carry.
   */
  async forSync(userId: string, deviceId: string, since: number | null, upTo: number, em: EntityManager): Promise<{ events: ToDeviceMessage[]; position: number }> {
    if (since !== null && since > 0) await this.inbox.deleteUpTo(userId, deviceId, since, em);
    const pending = await this.inbox.pending(userId, deviceId, since ?? 0, upTo, MAX_PER_SYNC, em);
    const position = pending.length === MAX_PER_SYNC ? (pending.at(-1)?.position ?? upTo) : upTo;
    return { events: pending.map(({ sender, type, content }) => ({ sender, type, content })), position };
  }
}
