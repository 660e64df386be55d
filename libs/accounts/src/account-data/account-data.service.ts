import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { isValidRoomId } from '@hearth/protocol';
import { ChangeBus } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import { AccountDataRepository } from './account-data.repository';

/** Types the server manages itself; clients write them through their own endpoints. */
const SERVER_MANAGED_GLOBAL_TYPES = new Set(['m.push_rules']);
const SERVER_MANAGED_ROOM_TYPES = new Set(['m.fully_read']);

/** Spec CS API "Client Config": account data is private to its owner. */
@Injectable()
export class AccountDataService {
  constructor(
    private readonly accountData: AccountDataRepository,
    private readonly bus: ChangeBus,
  ) {}

  /** For sync: the owner's entries written in (since, upTo], global ones with roomId ''. */
  changedSince(
    userId: string,
    since: number,
    upTo: number,
    em?: EntityManager,
  ): Promise<Array<{ roomId: string; type: string; content: Record<string, unknown> }>> {
    return this.accountData.changedSince(userId, since, upTo, em);
  }

  /** For sync: the owner's global entry of one type, if any (sliding sync's `m.direct`). */
  async ownGlobal(userId: string, type: string, em?: EntityManager): Promise<Record<string, unknown> | undefined> {
    return (await this.accountData.find(userId, '', type, em))?.content;
  }

  /** For sliding sync's `tags`/`not_tags` filters: per room, the owner's tag names. */
  roomTagNames(userId: string, em: EntityManager): Promise<Map<string, string[]>> {
    return this.accountData.tagNames(userId, em);
  }

  async get(
    requester: string,
    userId: string,
    roomId: string | undefined,
    type: string,
  ): Promise<Record<string, unknown>> {
    this.assertOwner(requester, userId, roomId);
    const found = await this.accountData.find(userId, roomId ?? '', type);
    if (!found) throw MatrixError.notFound('Account data not found');
    return found.content;
  }

  async put(
    requester: string,
    userId: string,
    roomId: string | undefined,
    type: string,
    content: unknown,
  ): Promise<void> {
    this.assertOwner(requester, userId, roomId);
    const managed = roomId === undefined ? SERVER_MANAGED_GLOBAL_TYPES : SERVER_MANAGED_ROOM_TYPES;
    if (managed.has(type)) throw new MatrixError(405, 'M_BAD_JSON', `Cannot set ${type} through this API`);
    if (typeof content !== 'object' || content === null || Array.isArray(content))
      throw MatrixError.badJson('Account data must be a JSON object');
    if (type.length === 0 || type.length > 255) throw MatrixError.invalidParam('type must be 1-255 characters');
    const position = await this.accountData.put(userId, roomId ?? '', type, content as Record<string, unknown>);
    // One statement outside a transaction: committed once it returned.
    this.bus.publish({ stream: 'accountData', position, roomIds: [], userIds: [userId] });
  }

  private assertOwner(requester: string, userId: string, roomId: string | undefined): void {
    if (requester !== userId) throw MatrixError.forbidden('Cannot access account data of other users');
    if (roomId !== undefined && !isValidRoomId(roomId)) throw MatrixError.invalidParam('Invalid room ID');
  }
}
