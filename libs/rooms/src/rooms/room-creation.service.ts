import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import {
  getRoomVersion,
  isValidUserId,
  SUPPORTED_ROOM_VERSIONS,
  type JsonObject,
  type RoomVersion,
} from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import type { EventDraft } from '../events/event-draft';
import { EventWriter } from '../events/event-writer.service';
import { roomErrors } from '../room-errors';
import { AliasRepository } from '../storage/alias.repository';
import { RoomRepository } from '../storage/room.repository';
import type { CreateRoomRequest } from './create-room-request';
import { defaultPowerLevels, presetState } from './preset-state';
import { newRoomId } from './room-id';
import { RemoteInviteService } from '../membership/remote-invite.service';

/** POST /createRoom: the spec's sequence of initial events, all in one transaction. */
@Injectable()
export class RoomCreationService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly rooms: RoomRepository,
    private readonly aliases: AliasRepository,
    private readonly writer: EventWriter,
    private readonly tx: TransactionRunner,
    private readonly remoteInvites: RemoteInviteService,
  ) {}

  private readonly logger = new Logger(RoomCreationService.name);

  async create(
    creator: string,
    request: CreateRoomRequest,
    creatorProfile: JsonObject = {},
  ): Promise<{ room_id: string; room_alias?: string }> {
    const version = this.chooseVersion(request.roomVersion);
    for (const invitee of request.invite ?? [])
      if (!isValidUserId(invitee)) throw MatrixError.invalidParam(`Invalid user ID to invite: ${invitee}`);
    const alias = request.roomAliasName === undefined ? undefined : this.aliasFor(request.roomAliasName);
    const namedRoomId = version.roomIdFromCreateEvent ? undefined : newRoomId(this.config.serverName);
    const preset = request.preset ?? (request.visibility === 'public' ? 'public_chat' : 'private_chat');
    const now = Date.now();
    const remote = (userId: string) => !userId.endsWith(`:${this.config.serverName}`);
    const inviteContent: JsonObject = request.isDirect ? { is_direct: true } : {};

    const roomId = await this.tx.run(async (em) => {
      const creationContent: JsonObject = {
        ...request.creationContent,
        room_version: version.id,
        ...(version.implicitRoomCreator ? {} : { creator }),
      };
      const { event: create } = await this.writer.writeCreate(
        namedRoomId,
        { type: 'm.room.create', state_key: '', sender: creator, content: creationContent },
        version,
        em,
        now,
      );
      const roomId = create.room_id;
      if (request.visibility === 'public')
        await em.query('UPDATE rooms SET is_public = TRUE WHERE room_id = $1', [roomId]);
      const write = (draft: Omit<EventDraft, 'sender'>) =>
        this.writer.write(roomId, { ...draft, sender: creator }, em, now);
      await write({ type: 'm.room.member', state_key: creator, content: { ...creatorProfile, membership: 'join' } });
      const trusted = preset === 'trusted_private_chat' ? (request.invite ?? []) : [];
      await write({
        type: 'm.room.power_levels',
        state_key: '',
        content: defaultPowerLevels(
          version.creatorPrivileges ? undefined : creator,
          trusted,
          request.powerLevelContentOverride,
        ),
      });
      if (alias) await this.claimAlias(alias, roomId, creator, now, em, write);
      for (const state of presetState(preset)) await write({ ...state, state_key: '' });
      for (const state of request.initialState ?? [])
        await write({ type: state.type, state_key: state.state_key ?? '', content: state.content });
      if (request.name !== undefined)
        await write({ type: 'm.room.name', state_key: '', content: { name: request.name } });
      if (request.topic !== undefined)
        await write({ type: 'm.room.topic', state_key: '', content: { topic: request.topic } });
      for (const invitee of (request.invite ?? []).filter((userId) => !remote(userId))) {
        await write({ type: 'm.room.member', state_key: invitee, content: { ...inviteContent, membership: 'invite' } });
      }
      return roomId;
    });
    // Other servers' users are invited once the room exists, outside its creating transaction;
    // as in Synapse, one that fails does not undo the room.
    for (const invitee of (request.invite ?? []).filter(remote)) {
      await this.remoteInvites
        .invite(roomId, creator, invitee, inviteContent)
        .catch((error: unknown) => this.logger.warn(`inviting ${invitee} failed: ${String(error)}`));
    }
    return { room_id: roomId, ...(alias ? { room_alias: alias } : {}) };
  }

  private chooseVersion(requested: string | undefined): RoomVersion {
    const id = requested ?? this.config.rooms.defaultRoomVersion;
    const version = getRoomVersion(id);
    if (!version || !SUPPORTED_ROOM_VERSIONS.includes(id)) throw roomErrors.unsupportedVersion(id);
    return version;
  }

  private aliasFor(localpart: string): string {
    if (localpart.length === 0 || /[:\s#]/.test(localpart))
      throw MatrixError.invalidParam('room_alias_name must not be empty or contain ":", "#" or spaces');
    const alias = `#${localpart}:${this.config.serverName}`;
    if (Buffer.byteLength(alias, 'utf8') > 255) throw MatrixError.invalidParam('Room alias is longer than 255 bytes');
    return alias;
  }

  private async claimAlias(
    alias: string,
    roomId: string,
    creator: string,
    now: number,
    em: EntityManager,
    write: (draft: Omit<EventDraft, 'sender'>) => Promise<unknown>,
  ) {
    if (!(await this.aliases.insert(alias, roomId, creator, now, em))) throw roomErrors.roomInUse();
    await write({ type: 'm.room.canonical_alias', state_key: '', content: { alias } });
  }
}
