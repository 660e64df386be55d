import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { DevicesService } from '@hearth/accounts';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { isValidUserId, parseUserId, type DirectToDeviceEdu } from '@hearth/protocol';
import { ChangeBus, TransactionRunner } from '@hearth/storage';
import { ToDeviceRepository, type ToDeviceMessage } from './to-device.repository';
import { REMOTE_E2EE, type RemoteE2ee } from '../federation/remote-e2ee';

/** Spec: `{ messages: { userId: { deviceId or "*": content } } }`. */
const SendToDeviceBody = z.object({
  messages: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))),
});

type Messages = Record<string, Record<string, Record<string, unknown>>>;

/** Synapse's figure: a sync hands a device at most this many messages; the rest come next time. */
const MAX_PER_SYNC = 100;
/** Devices whose acknowledgements this process remembers; the least recently syncing go first. */
const MAX_REMEMBERED_DEVICES = 20_000;

/**
 * Send-to-device messaging (spec CS API "Send-to-Device messaging"): a message waits in its
 * device's inbox until that device's sync acknowledges it, so it is delivered once and never
 * lost. Messages for other servers leave as `m.direct_to_device` EDUs; theirs arrive the same way.
 */
@Injectable()
export class ToDeviceService {
  /**
   * Per device, the position up to which this process deleted acknowledged messages: a sync with
   * the same token again (every long poll that finds nothing new) skips the DELETE. Another
   * process deleting too is harmless; forgetting a device costs one DELETE.
   */
  private readonly deletedUpTo = new Map<string, number>();

  constructor(
    private readonly inbox: ToDeviceRepository,
    private readonly devices: DevicesService,
    private readonly tx: TransactionRunner,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(REMOTE_E2EE) private readonly remote: RemoteE2ee,
    private readonly bus: ChangeBus,
  ) {}

  /** PUT /sendToDevice/{eventType}/{txnId}: idempotent per sending device and transaction ID. */
  async send(sender: { userId: string; deviceId: string }, type: string, txnId: string, body: unknown): Promise<void> {
    const parsed = SendToDeviceBody.safeParse(body);
    if (!parsed.success) throw MatrixError.badJson('messages must map user IDs to device IDs to message contents');
    if (type.length === 0 || type.length > 255)
      throw MatrixError.invalidParam('The event type must be 1-255 characters');
    const local: Messages = {};
    const remote = new Map<string, Messages>();
    for (const [userId, byDevice] of Object.entries(parsed.data.messages)) {
      if (!isValidUserId(userId)) throw MatrixError.invalidParam(`${userId} is not a user ID`);
      const server = parseUserId(userId).serverName;
      if (server === this.config.serverName) local[userId] = byDevice;
      else remote.set(server, { ...(remote.get(server) ?? {}), [userId]: byDevice });
    }
    const stored = await this.deliver({ ...sender, txnId }, type, local);
    // Only on the first request of a transaction, so that a retry does not send twice.
    if (!stored || remote.size === 0) return;
    const messageId = createHash('sha256')
      .update(`${sender.userId}\u0000${sender.deviceId}\u0000${txnId}`)
      .digest('base64url')
      .slice(0, 32);
    for (const [server, messages] of remote)
      await this.remote.sendToDevice(server, {
        sender: sender.userId,
        type,
        message_id: messageId,
        messages,
      });
  }

  /**
   * Spec SS API `m.direct_to_device` (parsed by the EDU handler with the shared schema): messages
   * from a user of `origin` for our users, once per message ID.
   */
  async receiveRemote(origin: string, edu: z.output<typeof DirectToDeviceEdu>): Promise<void> {
    if (!isValidUserId(edu.sender) || parseUserId(edu.sender).serverName !== origin) return;
    const local = Object.fromEntries(
      Object.entries(edu.messages).filter(
        ([userId]) => isValidUserId(userId) && parseUserId(userId).serverName === this.config.serverName,
      ),
    );
    // Remote senders share the empty device ID: their message IDs keep them apart.
    await this.deliver({ userId: edu.sender, deviceId: '', txnId: `${origin}|${edu.message_id}` }, edu.type, local);
  }

  /** Stores messages for local devices ('*' for all of a user's devices); false if the transaction was seen before. */
  private async deliver(
    sender: { userId: string; deviceId: string; txnId: string },
    type: string,
    messages: Messages,
  ): Promise<boolean> {
    const targets: Array<{ userId: string; deviceId: string; content: Record<string, unknown> }> = [];
    for (const [userId, byDevice] of Object.entries(messages)) {
      const existing = new Set((await this.devices.list(userId)).map((device) => device.deviceId));
      const wildcard = byDevice['*'];
      const chosen = new Map<string, Record<string, unknown>>();
      if (wildcard) for (const deviceId of existing) chosen.set(deviceId, wildcard);
      for (const [deviceId, content] of Object.entries(byDevice))
        if (deviceId !== '*' && existing.has(deviceId)) chosen.set(deviceId, content);
      for (const [deviceId, content] of chosen) targets.push({ userId, deviceId, content });
    }
    return this.tx.run(async (em) => {
      const stored = await this.inbox.insert(sender, type, targets, em);
      // Once committed, the recipients' syncs hear of it (stream `toDevice`).
      if (stored && targets.length > 0)
        this.bus.publishAfterCommit(em, {
          stream: 'toDevice',
          roomIds: [],
          userIds: [...new Set(targets.map((t) => t.userId))],
        });
      return stored;
    });
  }

  /**
   * For the device's sync: drops what its token acknowledges (everything up to `since`), then
   * returns what is pending up to `upTo`, and the position the next token should carry.
   */
  async forSync(
    userId: string,
    deviceId: string,
    since: number | null,
    upTo: number,
    em: EntityManager,
  ): Promise<{ events: ToDeviceMessage[]; position: number }> {
    if (since !== null && since > 0) await this.acknowledge(userId, deviceId, since, em);
    // Nothing was sent to anyone past the token: no read.
    const pending =
      since !== null && since >= upTo
        ? []
        : await this.inbox.pending(userId, deviceId, since ?? 0, upTo, MAX_PER_SYNC, em);
    const position = pending.length === MAX_PER_SYNC ? (pending.at(-1)?.position ?? upTo) : upTo;
    return { events: pending.map(({ sender, type, content }) => ({ sender, type, content })), position };
  }
  /** Deletes the messages the device's token acknowledges, unless this process did so already. */
  private async acknowledge(userId: string, deviceId: string, upTo: number, em: EntityManager): Promise<void> {
    const key = `${userId}\n${deviceId}`;
    const done = this.deletedUpTo.get(key) ?? 0;
    // Noted only once the DELETE is through: one that failed is tried again next time.
    if (upTo > done) await this.inbox.deleteUpTo(userId, deviceId, upTo, em);
    this.deletedUpTo.delete(key);
    this.deletedUpTo.set(key, Math.max(done, upTo));
    if (this.deletedUpTo.size > MAX_REMEMBERED_DEVICES)
      this.deletedUpTo.delete(this.deletedUpTo.keys().next().value as string);
  }
}
