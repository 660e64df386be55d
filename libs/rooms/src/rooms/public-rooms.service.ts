import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { getRoomVersion, levelFor, stateKeyTuple, userPowerLevel } from '@hearth/protocol';
import { queryRows, TransactionRunner } from '@hearth/storage';
import type { EntityManager } from 'typeorm';
import { roomErrors } from '../room-errors';
import { RoomRepository } from '../storage/room.repository';
import { StateRepository } from '../storage/state.repository';

export interface PublicRoomsQuery {
  readonly limit: number;
  readonly since?: string;
  readonly searchTerm?: string;
}

interface DirectoryRow {
  room_id: string;
  members: string;
  name: string | null;
  topic: string | null;
  alias: string | null;
  join_rule: string | null;
  history_visibility: string | null;
  guest_access: string | null;
  avatar_url: string | null;
  room_type: string | null;
}

/** Spec CS API "Listing rooms": the rooms their admins chose to publish, biggest first. */
@Injectable()
export class PublicRoomsService {
  constructor(
    private readonly rooms: RoomRepository,
    private readonly state: StateRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async visibility(roomId: string): Promise<{ visibility: 'public' | 'private' }> {
    const rows = await this.tx.run((em) =>
      queryRows<{ is_public: boolean }>(em, 'SELECT is_public FROM rooms WHERE room_id = $1', [roomId]),
    );
    if (!rows[0]) throw MatrixError.notFound('Room not found');
    return { visibility: rows[0].is_public ? 'public' : 'private' };
  }

  /** Members who may change the room's state (or server admins) decide whether it is listed. */
  async setVisibility(
    roomId: string,
    userId: string,
    isAdmin: boolean,
    visibility: 'public' | 'private',
  ): Promise<void> {
    await this.tx.run(async (em) => {
      const room = await this.rooms.find(roomId, em);
      if (!room) throw roomErrors.notInRoom();
      if (!isAdmin) await this.assertCanPublish(roomId, userId, room.roomVersion, em);
      await em.query('UPDATE rooms SET is_public = $2 WHERE room_id = $1', [roomId, visibility === 'public']);
    });
  }

  async list(query: PublicRoomsQuery) {
    const offset = query.since === undefined ? 0 : decodeSince(query.since);
    return this.tx.run(async (em) => {
      const rows = await queryRows<DirectoryRow>(
        em,
        `SELECT r.room_id,
                (SELECT count(*) FROM current_state m WHERE m.room_id = r.room_id AND m.type = 'm.room.member' AND m.membership = 'join') AS members,
                ${stateField('m.room.name', 'name')} AS name,
                ${stateField('m.room.topic', 'topic')} AS topic,
                ${stateField('m.room.canonical_alias', 'alias')} AS alias,
                ${stateField('m.room.join_rules', 'join_rule')} AS join_rule,
                ${stateField('m.room.history_visibility', 'history_visibility')} AS history_visibility,
                ${stateField('m.room.guest_access', 'guest_access')} AS guest_access,
                ${stateField('m.room.avatar', 'url')} AS avatar_url,
                ${stateField('m.room.create', 'type')} AS room_type
           FROM rooms r WHERE r.is_public
          ORDER BY members DESC, r.room_id`,
      );
      const matching = !query.searchTerm
        ? rows
        : rows.filter((row) =>
            [row.name, row.topic, row.alias].some((v) => v !== null && likeMatch(v, query.searchTerm as string)),
          );
      const page = matching.slice(offset, offset + query.limit);
      return {
        chunk: page.map(toPublicRoom),
        total_room_count_estimate: matching.length,
        ...(offset + query.limit < matching.length ? { next_batch: `p${offset + query.limit}` } : {}),
        ...(offset > 0 ? { prev_batch: `p${Math.max(0, offset - query.limit)}` } : {}),
      };
    });
  }

  private async assertCanPublish(
    roomId: string,
    userId: string,
    roomVersion: string,
    em: EntityManager,
  ): Promise<void> {
    const version = getRoomVersion(roomVersion);
    if (!version || (await this.state.membership(roomId, userId, em)) !== 'join') throw roomErrors.notInRoom();
    const state = await this.state.currentState(roomId, em, [
      stateKeyTuple('m.room.create', ''),
      stateKeyTuple('m.room.power_levels', ''),
      stateKeyTuple('m.room.member', userId),
    ]);
    if (userPowerLevel(userId, state, version) < levelFor('state_default', state, version)) {
      throw MatrixError.forbidden('You need the power to change room state to publish this room');
    }
  }
}

/** One field of a current state event's content, as SQL. Field names are our constants, never input. */
function stateField(type: string, field: string): string {
  return `(SELECT e.pdu->'content'->>'${field}' FROM current_state s JOIN events e ON e.event_id = s.event_id WHERE s.room_id = r.room_id AND s.type = '${type}' AND s.state_key = '')`;
}

function likeMatch(value: string, term: string): boolean {
  return value.toLowerCase().includes(term.toLowerCase());
}

function decodeSince(since: string): number {
  const match = /^p(\d{1,9})$/.exec(since);
  if (!match) throw MatrixError.invalidParam('Invalid since token');
  return Number(match[1]);
}

function toPublicRoom(row: DirectoryRow) {
  return {
    room_id: row.room_id,
    num_joined_members: Number(row.members),
    world_readable: row.history_visibility === 'world_readable',
    guest_can_join: row.guest_access === 'can_join',
    join_rule: row.join_rule ?? 'invite',
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.topic !== null ? { topic: row.topic } : {}),
    ...(row.alias !== null ? { canonical_alias: row.alias } : {}),
    ...(row.avatar_url !== null ? { avatar_url: row.avatar_url } : {}),
    ...(row.room_type !== null ? { room_type: row.room_type } : {}),
  };
}
