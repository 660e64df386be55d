import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { stateKeyTuple, type StateKeyTuple } from '@hearth/protocol';
import type { StoredEvent } from '../storage/event.repository';
import { EventRepository } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { ErasedUsersRepository } from '../storage/erased-users.repository';

const VISIBILITY = stateKeyTuple('m.room.history_visibility', '');

interface StateAtEvent {
  readonly visibility: string;
  readonly membership: string | undefined;
}

/** An event with no state before it (the create event): nothing restricts it yet. */
const BEFORE_ANY_STATE: StateAtEvent = { visibility: 'shared', membership: undefined };

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
    const erased = await this.erasedUsers.erasedAmong(
      stored.map((item) => item.event.sender),
      em,
    );
    const atGroup = await this.statesAt(
      stored.map((item) => item.stateGroupBefore),
      member,
      em,
    );
    const visible: StoredEvent[] = [];
    for (const item of stored) {
      const at = atGroup.get(item.stateGroupBefore) ?? BEFORE_ANY_STATE;
      const ownMembership = item.event.content.membership;
      const own =
        item.event.type === 'm.room.member' && item.event.state_key === userId && typeof ownMembership === 'string'
          ? ownMembership
          : undefined;
      // One always sees one's own leave (or invite rejection), or the room would never seem to go. With no
      // state before it, it is the leave of an invite or knock to a room this server is not in.
      const ownLeave =
        own === 'leave' && (at.membership === 'join' || at.membership === 'invite' || item.stateGroupBefore === null);
      if (!ownLeave && !isVisible(at.visibility, own ?? at.membership, joinedNow)) continue;
      const joinedThen = (own ?? at.membership) === 'join';
      visible.push(erased.has(item.event.sender) && !joinedThen ? { ...item, erased: true } : item);
    }
    return visible;
  }

  /**
   * The history visibility and the user's membership at each state group, for all of them in two
   * statements: a page of events carries as many groups as it has state changes (a page of joins
   * one per event), and reading them one by one made a new member's first sync of a busy room
   * cost two statements per event.
   */
  private async statesAt(
    groups: ReadonlyArray<number | null>,
    member: StateKeyTuple,
    em: EntityManager,
  ): Promise<Map<number | null, StateAtEvent>> {
    const distinct = [...new Set(groups)].filter((group): group is number => group !== null);
    const byGroup = await this.state.loadGroups(distinct, em, [VISIBILITY, member]);
    const loaded = await this.events.findMany(
      [...new Set([...byGroup.values()].flatMap((ids) => [...ids.values()]))],
      em,
    );
    const result = new Map<number | null, StateAtEvent>([[null, BEFORE_ANY_STATE]]);
    for (const group of distinct) {
      const ids = byGroup.get(group);
      const content = (tuple: StateKeyTuple) => {
        const id = ids?.get(tuple);
        return id === undefined ? undefined : loaded.get(id)?.event.content;
      };
      const visibility = content(VISIBILITY)?.history_visibility;
      const membership = content(member)?.membership;
      result.set(group, {
        visibility: typeof visibility === 'string' ? visibility : 'shared',
        membership: typeof membership === 'string' ? membership : undefined,
      });
    }
    return result;
  }
}

export function isVisible(visibility: string, membershipAtEvent: string | undefined, joinedNow: boolean): boolean {
  if (visibility === 'world_readable') return true;
  if (membershipAtEvent === 'join') return true;
  if (visibility === 'shared' && joinedNow) return true;
  return visibility === 'invited' && membershipAtEvent === 'invite';
}
