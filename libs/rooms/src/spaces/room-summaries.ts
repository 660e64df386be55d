import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { TransactionRunner } from '@hearth/storage';
import { PeerVisibility } from '../federated/peer-visibility';
import { StateRepository } from '../storage/state.repository';
import { stateKeyTuple, type RoomEvent } from '@hearth/protocol';
import { buildRoomSummary, isKnockable, isRestricted, SUMMARY_TYPES, type RoomSummary } from './room-summary';
import { toSpaceChildState } from './space-children';
import { SpaceStateRepository } from './space-state.repository';

/**
 * Summaries of rooms for the space hierarchy, and who may see them. A room counts as known here
 * only while one of our users is joined to it: otherwise our copy of its state may be stale, and
 * the servers still in it are asked instead.
 */
@Injectable()
export class RoomSummaries {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly state: StateRepository,
    private readonly spaceState: SpaceStateRepository,
    private readonly peers: PeerVisibility,
    private readonly tx: TransactionRunner,
  ) {}

  async local(roomId: string): Promise<RoomSummary | undefined> {
    return (await this.localMany([roomId])).get(roomId);
  }

  /** Summaries of those of the rooms we are in, by room ID; the others are absent. */
  async localMany(roomIds: readonly string[]): Promise<Map<string, RoomSummary>> {
    const states = await this.tx.read((em) =>
      this.spaceState.summaryStates(roomIds, this.config.serverName, SUMMARY_TYPES, em),
    );
    const summaries = new Map<string, RoomSummary>();
    for (const [roomId, found] of states) {
      if (!found.ours) continue;
      const state = new Map<string, RoomEvent>();
      const children: RoomEvent[] = [];
      for (const event of found.events) {
        if (event.type === 'm.space.child') children.push(event);
        else state.set(stateKeyTuple(event.type, ''), event);
      }
      summaries.set(roomId, buildRoomSummary(roomId, state, found.joinedMembers, children.map(toSpaceChildState)));
    }
    return summaries;
  }

  /**
   * Spec CS API `GET /hierarchy`: a user sees a room they are joined or invited to, one they could
   * join (public, or restricted to a room they are in), one they could knock on, and a world-readable
   * one. Works for a peer's summary too, with what we know of the user's memberships.
   */
  async userMayPreview(userId: string, summary: RoomSummary): Promise<boolean> {
    if (openToPreview(summary)) return true;
    return this.tx.read(async (em) => {
      const membership = await this.state.membership(summary.room_id, userId, em);
      if (membership === 'join' || membership === 'invite') return true;
      return this.meetsRestriction(summary, (rooms) => this.spaceState.joinedToAny(userId, rooms, em));
    });
  }

  /**
   * Spec SS API `GET /hierarchy`: another server sees what any of its users could, as Synapse
   * decides it: open rooms, rooms it is in or has an invitee in, and restricted rooms it has a
   * member of an allowed room for (it filters further for its own user). A server the room's ACL
   * shuts out sees nothing of it.
   */
  async serverMayPreview(serverName: string, summary: RoomSummary, em?: EntityManager): Promise<boolean> {
    const check = async (manager: EntityManager) =>
      (await this.peers.aclAllows(serverName, summary.room_id, manager)) &&
      (openToPreview(summary) ||
        (await this.spaceState.serverHasMember(summary.room_id, serverName, ['join', 'invite'], manager)) ||
        (await this.meetsRestriction(summary, (rooms) =>
          this.spaceState.serverJoinedToAny(serverName, rooms, manager),
        )));
    return em ? check(em) : this.tx.read(check);
  }

  private async meetsRestriction(
    summary: RoomSummary,
    joinedToAny: (rooms: readonly string[]) => Promise<boolean>,
  ): Promise<boolean> {
    if (!isRestricted(summary.join_rule, summary.room_version)) return false;
    return joinedToAny(summary.allowed_room_ids ?? []);
  }
}

function openToPreview(summary: RoomSummary): boolean {
  return (
    summary.join_rule === 'public' || summary.world_readable || isKnockable(summary.join_rule, summary.room_version)
  );
}
