import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { isValidRoomId } from '@hearth/protocol';
import { ChangeBus } from '@hearth/storage';
import { AccountDataRepository } from './account-data.repository';

/** Spec CS API "Room Tagging": "The name of a tag MUST NOT exceed 255 bytes." */
export const MAX_TAG_BYTES = 255;

/**
 * Room tags (spec CS API "Room Tagging"): one `m.tag` room account data entry per room,
 * `{tags: {name: {order?}}}`, which /sync carries in the room's account data.
 */
@Injectable()
export class RoomTagsService {
  constructor(
    private readonly accountData: AccountDataRepository,
    private readonly bus: ChangeBus,
  ) {}

  async list(requester: string, userId: string, roomId: string): Promise<{ tags: Record<string, unknown> }> {
    assertOwnRoom(requester, userId, roomId);
    const found = await this.accountData.find(userId, roomId, 'm.tag');
    const tags = found?.content.tags;
    return { tags: isObject(tags) ? tags : {} };
  }

  async set(requester: string, userId: string, roomId: string, tag: string, body: unknown): Promise<void> {
    assertOwnRoom(requester, userId, roomId);
    assertTagName(tag);
    if (!isObject(body)) throw MatrixError.badJson('The tag body must be a JSON object');
    if (body.order !== undefined && (typeof body.order !== 'number' || !Number.isFinite(body.order)))
      throw MatrixError.badJson('order must be a number');
    this.announce(userId, await this.accountData.changeTag(userId, roomId, tag, body));
  }

  async remove(requester: string, userId: string, roomId: string, tag: string): Promise<void> {
    assertOwnRoom(requester, userId, roomId);
    assertTagName(tag);
    this.announce(userId, await this.accountData.changeTag(userId, roomId, tag, null));
  }

  /** One statement outside a transaction: committed once it returned. */
  private announce(userId: string, position: number): void {
    this.bus.publish({ stream: 'accountData', position, roomIds: [], userIds: [userId] });
  }
}

function assertOwnRoom(requester: string, userId: string, roomId: string): void {
  if (requester !== userId) throw MatrixError.forbidden("Cannot access other users' room tags");
  if (!isValidRoomId(roomId)) throw MatrixError.invalidParam('Invalid room ID');
}

function assertTagName(tag: string): void {
  if (tag.length === 0) throw MatrixError.invalidParam('The tag name must not be empty');
  if (Buffer.byteLength(tag, 'utf8') > MAX_TAG_BYTES)
    throw MatrixError.invalidParam(`The tag name must not exceed ${MAX_TAG_BYTES} bytes`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
