import { stateKeyTuple, type RoomEvent, type StateKeyTuple } from '../room-event';
import type { RoomVersion } from '../room-versions';
import { authChain, isPowerEvent, type EventLookup } from './event-graph';
import { iterativeAuthChecks } from './iterative-auth-checks';
import { mainlineOrder, reverseTopologicalPowerOrder } from './orderings';

export type StateSet = ReadonlyMap<StateKeyTuple, string>;

export interface StateResolutionInput {
  readonly version: RoomVersion;
  readonly stateSets: readonly StateSet[];
  /** Every event the state sets and their auth chains reference. */
  readonly getEvent: EventLookup;
}

/** State resolution v2 (room versions 2–11) and v2.1 (room version 12), per the spec's algorithm. */
export function resolveState({ version, stateSets, getEvent }: StateResolutionInput): Map<StateKeyTuple, string> {
  if (stateSets.length === 0) return new Map();
  if (stateSets.length === 1) return new Map(stateSets[0]);
  const { unconflicted, conflicted } = splitConflicts(stateSets);
  if (conflicted.size === 0) return unconflicted;

  const full = new Set([...conflicted, ...authDifference(stateSets, getEvent)]);
  if (version.stateResolution === 'v2.1') for (const id of conflictedSubgraph(conflicted, getEvent)) full.add(id);
  const fullEvents = [...full].map(getEvent).filter((e): e is RoomEvent => e !== undefined);

  // Steps 1–2: power events (with the conflicted parts of their auth chains) first.
  const powerIds = new Set(fullEvents.filter(isPowerEvent).map((e) => e.event_id));
  for (const id of [...powerIds])
    for (const chained of authChain([id], getEvent)) if (full.has(chained)) powerIds.add(chained);
  const powerEvents = reverseTopologicalPowerOrder(
    fullEvents.filter((e) => powerIds.has(e.event_id)),
    getEvent,
    version,
  );
  const start = version.stateResolution === 'v2.1' ? new Map<StateKeyTuple, string>() : unconflicted;
  const partial = iterativeAuthChecks(start, powerEvents, getEvent, version);

  // Steps 3–4: everything else, in mainline order of the resolved power levels.
  const powerLevelsId = partial.get(stateKeyTuple('m.room.power_levels', ''));
  const others = mainlineOrder(
    fullEvents.filter((e) => !powerIds.has(e.event_id)),
    powerLevelsId === undefined ? undefined : getEvent(powerLevelsId),
    getEvent,
  );
  const resolved = iterativeAuthChecks(partial, others, getEvent, version);

  // Step 5: the unconflicted state always wins.
  for (const [tuple, id] of unconflicted) resolved.set(tuple, id);
  return resolved;
}

function splitConflicts(stateSets: readonly StateSet[]): {
  unconflicted: Map<StateKeyTuple, string>;
  conflicted: Set<string>;
} {
  const unconflicted = new Map<StateKeyTuple, string>();
  const conflicted = new Set<string>();
  const keys = new Set(stateSets.flatMap((set) => [...set.keys()]));
  for (const key of keys) {
    const values = stateSets.map((set) => set.get(key));
    const first = values[0];
    if (first !== undefined && values.every((v) => v === first)) unconflicted.set(key, first);
    else for (const v of values) if (v !== undefined) conflicted.add(v);
  }
  return { unconflicted, conflicted };
}

/** ∪ Cᵢ − ∩ Cᵢ over the full auth chains of each state set. */
function authDifference(stateSets: readonly StateSet[], getEvent: EventLookup): Set<string> {
  const chains = stateSets.map((set) => authChain(set.values(), getEvent));
  const union = new Set(chains.flatMap((chain) => [...chain]));
  return new Set([...union].filter((id) => !chains.every((chain) => chain.has(id))));
}

/** v2.1: events on auth paths between two conflicted events (endpoints included). */
function conflictedSubgraph(conflicted: ReadonlySet<string>, getEvent: EventLookup): Set<string> {
  const reachable = authChain(conflicted, getEvent);
  const leadsToConflict = new Map<string, boolean>();
  const leads = (id: string): boolean => {
    const known = leadsToConflict.get(id);
    if (known !== undefined) return known;
    leadsToConflict.set(id, false);
    const result = (getEvent(id)?.auth_events ?? []).some((parent) => conflicted.has(parent) || leads(parent));
    leadsToConflict.set(id, result);
    return result;
  };
  const subgraph = new Set<string>();
  for (const id of reachable) if (conflicted.has(id) || leads(id)) subgraph.add(id);
  for (const id of conflicted) if (leads(id) || reachable.has(id)) subgraph.add(id);
  return subgraph;
}
