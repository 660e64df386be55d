import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import type { EntityManager } from 'typeorm';
import { MatrixError } from '@hearth/http';
import {
  getRoomVersion,
  levelFor,
  requiredPowerLevel,
  SUPPORTED_ROOM_VERSIONS,
  stateKeyTuple,
  userPowerLevel,
  type JsonObject,
  type RoomEvent,
} from '@hearth/protocol';
import { EventWriter } from '../events/event-writer.service';
import { RoomWriteQueue } from '../events/room-write-queue';
import { roomErrors } from '../room-errors';
import { EventRepository } from '../storage/event.repository';
import { RoomRepository } from '../storage/room.repository';
import { StateRepository } from '../storage/state.repository';
import { newRoomId } from './room-id';

/** State carried into the replacement room (spec CS API "Server behaviour" for room upgrades). */
const CARRIED_STATE = [
  'm.room.server_acl',
  'm.room.encryption',
  'm.room.name',
  'm.room.avatar',
  'm.room.topic',
  'm.room.guest_access',
  'm.room.history_visibility',
  'm.room.join_rules',
  'm.room.power_levels',
];

/**
 * POST /rooms/{roomId}/upgrade: a new room with the old one's state, a tombstone in the old
 * room, the old room muted for people below 50, and local aliases moved. One transaction.
 */
@Injectable()
export class RoomUpgradeService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly rooms: RoomRepository,
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly writer: EventWriter,
    private readonly roomWrites: RoomWriteQueue,
  ) {}

  async upgrade(oldRoomId: string, userId: string, newVersionId: string): Promise<{ replacement_room: string }> {
    const newVersion = getRoomVersion(newVersionId);
    if (!newVersion || !SUPPORTED_ROOM_VERSIONS.includes(newVersionId))
      throw roomErrors.unsupportedVersion(newVersionId);
    return this.roomWrites.transaction(oldRoomId, async (em) => {
      const old = await this.rooms.lockForWrite(oldRoomId, em);
      if (!old || (await this.state.membership(oldRoomId, userId, em)) !== 'join') throw roomErrors.notInRoom();
      const current = await this.state.currentState(oldRoomId, em);
      const oldVersion = getRoomVersion(old.roomVersion);
      if (
        !oldVersion ||
        userPowerLevel(userId, current, oldVersion) < requiredPowerLevel('m.room.tombstone', true, current, oldVersion)
      ) {
        throw MatrixError.forbidden('You may not upgrade this room');
      }
      const now = Date.now();
      const write = (roomId: string, draft: { type: string; state_key?: string; content: JsonObject }) =>
        this.writer.write(roomId, { ...draft, sender: userId }, em, now);

      const lastEvent = (await this.events.forwardExtremities(oldRoomId, em))[0]?.eventId;
      const oldCreate = current.get(stateKeyTuple('m.room.create', ''))?.content ?? {};
      const createContent: JsonObject = {
        ...(oldCreate.type !== undefined ? { type: oldCreate.type } : {}),
        ...(oldCreate['m.federate'] !== undefined ? { 'm.federate': oldCreate['m.federate'] } : {}),
        room_version: newVersion.id,
        predecessor: { room_id: oldRoomId, ...(lastEvent ? { event_id: lastEvent } : {}) },
        ...(newVersion.implicitRoomCreator ? {} : { creator: userId }),
      };
      const namedRoomId = newVersion.roomIdFromCreateEvent ? undefined : newRoomId(this.config.serverName);
      const newRoom = (
        await this.writer.writeCreate(
          namedRoomId,
          { type: 'm.room.create', state_key: '', sender: userId, content: createContent },
          newVersion,
          em,
          now,
        )
      ).event.room_id;
      await write(newRoom, {
        type: 'm.room.member',
        state_key: userId,
        content: { ...(current.get(stateKeyTuple('m.room.member', userId))?.content ?? {}), membership: 'join' },
      });
      for (const type of CARRIED_STATE) {
        const event = current.get(stateKeyTuple(type, ''));
        if (event)
          await write(newRoom, {
            type,
            state_key: '',
            content:
              type === 'm.room.power_levels'
                ? carriedPowerLevels(event.content, userId, newVersion.creatorPrivileges)
                : event.content,
          });
      }
      await this.moveAliases(oldRoomId, newRoom, current, em, write);

      await write(oldRoomId, {
        type: 'm.room.tombstone',
        state_key: '',
        content: { body: 'This room has been replaced', replacement_room: newRoom },
      });
      await this.muteOldRoom(oldRoomId, current, oldVersion, write);
      return { replacement_room: newRoom };
    });
  }

  private async moveAliases(
    oldRoomId: string,
    newRoomId: string,
    current: Map<string, RoomEvent>,
    em: EntityManager,
    write: (roomId: string, draft: { type: string; state_key?: string; content: JsonObject }) => Promise<unknown>,
  ) {
    await em.query('UPDATE room_aliases SET room_id = $2 WHERE room_id = $1', [oldRoomId, newRoomId]);
    const canonical = current.get(stateKeyTuple('m.room.canonical_alias', ''));
    if (canonical) {
      await write(newRoomId, { type: 'm.room.canonical_alias', state_key: '', content: canonical.content });
      await write(oldRoomId, { type: 'm.room.canonical_alias', state_key: '', content: {} });
    }
  }

  /** Spec: the old room's events_default and invite go to at least 50, so most members cannot speak there. */
  private async muteOldRoom(
    roomId: string,
    current: Map<string, RoomEvent>,
    version: NonNullable<ReturnType<typeof getRoomVersion>>,
    write: (roomId: string, draft: { type: string; state_key?: string; content: JsonObject }) => Promise<unknown>,
  ) {
    const levels = current.get(stateKeyTuple('m.room.power_levels', ''))?.content;
    if (!levels) return;
    const restricted = Math.max(50, levelFor('users_default', current, version) + 1);
    await write(roomId, {
      type: 'm.room.power_levels',
      state_key: '',
      content: {
        ...levels,
        events_default: Math.max(restricted, levelFor('events_default', current, version)),
        invite: Math.max(restricted, levelFor('invite', current, version)),
      },
    });
  }
}

/** The upgrader keeps at least 100 in the new room; from v12 as its creator, who must not be listed. */
function carriedPowerLevels(powerLevels: JsonObject, userId: string, creatorIsImplicit: boolean): JsonObject {
  const users =
    typeof powerLevels.users === 'object' && powerLevels.users !== null && !Array.isArray(powerLevels.users)
      ? { ...powerLevels.users }
      : {};
  if (creatorIsImplicit) {
    delete users[userId];
  } else {
    const current = users[userId];
    users[userId] = typeof current === 'number' && current > 100 ? current : 100;
  }
  return { ...powerLevels, users };
}
