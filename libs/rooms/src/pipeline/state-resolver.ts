import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { resolveState, type RoomEvent, type RoomVersion, type StateKeyTuple } from '@hearth/protocol';
import { EventRepository } from '../storage/event.repository';
import { StateRepository, type StateIds } from '../storage/state.repository';
import { FederatedEventRepository } from '../federated/federated-event.repository';

/** State at a point of the DAG: a group we hold, or a resolved state not written yet. */
export type StateAt = { readonly group: number } | { readonly resolved: StateIds };

/** State resolution (v2, v2.1) over stored state groups, for the pipeline and the checks before it. */
@Injectable()
export class StateResolver {
  constructor(
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly federated: FederatedEventRepository,
  ) {}

  /**
   * Resolves the states of the given groups. `unstored`: events those states name that are not
   * stored yet (the event being written, whose group was made first).
   */
  async resolve(
    groups: readonly number[],
    version: RoomVersion,
    em: EntityManager,
    unstoredEvents: readonly RoomEvent[] = [],
  ): Promise<Map<StateKeyTuple, string>> {
    const states = await this.state.loadGroups(groups, em);
    const stateSets = groups.map((group) => states.get(group) ?? new Map<StateKeyTuple, string>());
    const unstored = new Map(unstoredEvents.map((event) => [event.event_id, event]));
    const ids = [...new Set(stateSets.flatMap((set) => [...set.values()]))].filter((id) => !unstored.has(id));
    // Events not stored have no auth edges yet: their auth events start the walk instead.
    const roots = [...ids, ...[...unstored.values()].flatMap((event) => event.auth_events)];
    const chain = await this.federated.authChainIds(roots, em);
    const loaded = await this.events.findMany([...new Set([...roots, ...chain])], em);
    return resolveState({ version, stateSets, getEvent: (id) => unstored.get(id) ?? loaded.get(id)?.event });
  }

  /** The state IDs at `at`, or only the given tuples of them. */
  async idsAt(at: StateAt, em: EntityManager, only?: readonly StateKeyTuple[]): Promise<Map<StateKeyTuple, string>> {
    if ('group' in at) return this.state.loadGroup(at.group, em, only);
    return new Map([...at.resolved].filter(([tuple]) => !only || only.includes(tuple)));
  }
}
