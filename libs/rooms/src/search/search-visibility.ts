import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { stateKeyTuple } from '@hearth/protocol';
import { isVisible } from '../events/history-visibility';
import { EventRepository, type StoredEvent } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';

const VISIBILITY = stateKeyTuple('m.room.history_visibility', '');

/**
 * HistoryVisibility's rule (spec "History visibility", `isVisible`) for a page of search hits
 * across many rooms at once: the state before every hit in one statement, instead of a few per
 * room, since a search page spans rooms and answers within a few milliseconds. Hits are messages,
 * never the user's own membership events, so the rule needs nothing else.
 */
@Injectable()
export class SearchVisibility {
  constructor(
    private readonly state: StateRepository,
    private readonly events: EventRepository,
  ) {}

  async filter(
    userId: string,
    joinedNow: ReadonlySet<string>,
    hits: readonly StoredEvent[],
    em: EntityManager,
  ): Promise<StoredEvent[]> {
    const member = stateKeyTuple('m.room.member', userId);
    const groups = [...new Set(hits.map((hit) => hit.stateGroupBefore).filter((g): g is number => g !== null))];
    const stateByGroup = await this.state.loadGroups(groups, em, [VISIBILITY, member]);
    const ids = [...stateByGroup.values()].flatMap((state) => [...state.values()]);
    const loaded = await this.events.findMany([...new Set(ids)], em);
    const content = (group: number | null, tuple: typeof VISIBILITY) => {
      const id = group === null ? undefined : stateByGroup.get(group)?.get(tuple);
      return id === undefined ? undefined : loaded.get(id)?.event.content;
    };
    return hits.filter((hit) => {
      const visibility = content(hit.stateGroupBefore, VISIBILITY)?.history_visibility;
      const membership = content(hit.stateGroupBefore, member)?.membership;
      return isVisible(
        typeof visibility === 'string' ? visibility : 'shared',
        typeof membership === 'string' ? membership : undefined,
        joinedNow.has(hit.event.room_id),
      );
    });
  }
}
