import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { stateKeyTuple, type StateKeyTuple } from '@hearth/protocol';
import type { StoredEvent } from '../storage/event.repository';
import { EventRepository } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { ErasedUsersRepository } from '../storage/erased-users.repository';

const VISIBILITY = stateKeyTuple('m.room.history_visibility', '');

/**
 * Spec CS API "History visibility", applied to every read path: an event is visible when, at
 * that event, the room was world_readable, or the user was joined, or it was `shared` and the
 * user is joined now, or it was `invited` and the user was invited. A user's own membership
 * event counts with its own membership, and their own leave is always theirs to see.
 * An erased user's events reach only those joined when they were sent whole; anyone else who
 * may see them gets them pruned (as Synapse's erasure).
 */
@Injectable()
export class HistoryVisibility {
  constructor(
    private readonly state: StateRepository,
    private readonly events: EventRepository,
    private readonly erasedUsers: ErasedUsersRepository,
  ) {}

  async filter(
    userId: string,
    roomId: string,
    stored: readonly StoredEvent[],
    em: EntityManager,
  ): Promise<StoredEvent[]> {
    const joinedNow = (await this.state.membership(roomId, userId, em)) === 'join';
    const member = stateKeyTuple('m.room.member', userId);
    const atGroup = new Map<number | null, Promise<{ visibility: string; membership: string | undefined }>>();
    const visible: StoredEvent[] = [];
    const erased = await this.erasedUsers.erasedAmong(
      stored.map((item) => item.event.sender),
      em,
    );
    for (const item of stored) {
      const group = item.stateGroupBefore;
      if (!atGroup.has(group)) atGroup.set(group, this.stateAt(group, member, em));
      const at = await (atGroup.get(group) as Promise<{ visibility: string; membership: string | undefined }>);
      const ownMembership = item.event.content.membership;
      const own =
        item.event.type === 'm.room.member' && item.event.state_key === userId && typeof ownMembership === 'string'
          ? ownMembership
          : undefined;
      // One always sees one's own leave (or invite rejection), or the room would never seem to go.
      const ownLeave = own === 'leave' && (at.membership === 'join' || at.membership === 'invite');
      if (!ownLeave && !isVisible(at.visibility, own ?? at.membership, joinedNow)) continue;
      const joinedThen = (own ?? at.membership) === 'join';
      visible.push(erased.has(item.event.sender) && !joinedThen ? { ...item, erased: true } : item);
    }
    return visible;
  }

  private async stateAt(group: number | null, member: StateKeyTuple, em: EntityManager) {
    if (group === null) return { visibility: 'shared', membership: undefined };
    const ids = await this.state.loadGroup(group, em, [VISIBILITY, member]);
    const loaded = await this.events.findMany([...ids.values()], em);
    const content = (tuple: StateKeyTuple) => {
      const id = ids.get(tuple);
      return id === undefined ? undefined : loaded.get(id)?.event.content;
    };
    const visibility = content(VISIBILITY)?.history_visibility;
    const membership = content(member)?.membership;
    return {
      visibility: typeof visibility === 'string' ? visibility : 'shared',
      membership: typeof membership === 'string' ? membership : undefined,
    };
  }
}

export function isVisible(visibility: string, membershipAtEvent: string | undefined, joinedNow: boolean): boolean {
  if (visibility === 'world_readable') return true;
  if (membershipAtEvent === 'join') return true;
  if (visibility === 'shared' && joinedNow) return true;
  return visibility === 'invited' && membershipAtEvent === 'invite';
}
