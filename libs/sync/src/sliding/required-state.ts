import type { StateSelector } from '@hearth/rooms';

/** `*` in a type or state key matches anything; `$ME` is the syncing user; `$LAZY` turns lazy members on. */
export const WILDCARD = '*';
const ME = '$ME';
const LAZY = '$LAZY';
const MEMBER = 'm.room.member';

export type StatePattern = readonly [type: string, stateKey: string];

/** What state a room config asks for. */
export interface RequiredState {
  readonly include: readonly StatePattern[];
  readonly exclude: readonly StatePattern[];
  /** Members of the timeline's senders (and targets), rather than every member. */
  readonly lazyMembers: boolean;
}

type RequestShape =
  | ReadonlyArray<readonly [string, string]>
  | {
      include?: ReadonlyArray<{ type?: string; state_key?: string }>;
      exclude?: ReadonlyArray<{ type?: string; state_key?: string }>;
      lazy_members?: boolean;
    };

export function parseRequiredState(shape: RequestShape): RequiredState {
  if (Array.isArray(shape)) {
    const pairs = shape as ReadonlyArray<readonly [string, string]>;
    const lazy = pairs.some(([type, key]) => type === MEMBER && key === LAZY);
    return {
      include: pairs.filter(([type, key]) => !(type === MEMBER && key === LAZY)),
      exclude: [],
      lazyMembers: lazy,
    };
  }
  const object = shape as Exclude<RequestShape, ReadonlyArray<unknown>>;
  const pattern = (element: { type?: string; state_key?: string }): StatePattern => [
    element.type ?? WILDCARD,
    element.state_key ?? WILDCARD,
  ];
  return {
    include: (object.include ?? []).map(pattern),
    exclude: (object.exclude ?? []).map(pattern),
    lazyMembers: object.lazy_members === true,
  };
}

/** The superset of several room configs' state (MSC4186 "Combining room configs"). */
export function combineRequiredState(states: readonly RequiredState[]): RequiredState {
  return {
    include: states.flatMap((state) => state.include),
    // An exclusion only holds when every config excludes it; keep it simple and exact: only
    // when there is one config.
    exclude: states.length === 1 ? (states[0]?.exclude ?? []) : [],
    lazyMembers: states.some((state) => state.lazyMembers),
  };
}

function matchesPattern([type, key]: StatePattern, eventType: string, stateKey: string, userId: string): boolean {
  const wantedKey = key === ME ? userId : key;
  return (type === WILDCARD || type === eventType) && (wantedKey === WILDCARD || wantedKey === stateKey);
}

/** Whether the entry (type, state_key) is asked for, lazily loaded members aside. */
export function wantsState(state: RequiredState, type: string, stateKey: string, userId: string): boolean {
  return (
    state.include.some((pattern) => matchesPattern(pattern, type, stateKey, userId)) &&
    !state.exclude.some((pattern) => matchesPattern(pattern, type, stateKey, userId))
  );
}

/**
 * A selection wide enough for the database to read (the exact check is `wantsState`), with
 * the members lazy loading needs (`lazyUsers`) added. A `*` type with a `*` key reads every
 * member only when not lazy: lazy loading exists to spare rooms of 10,000 members.
 */
export function selectorFor(state: RequiredState, userId: string, lazyUsers: readonly string[]): StateSelector {
  const types: string[] = [];
  const stateKeys: string[] = [];
  const pairs: Array<readonly [string, string]> = lazyUsers.map((user) => [MEMBER, user] as const);
  let allButMembers = false;
  let allMembers = false;
  for (const [type, rawKey] of state.include) {
    const key = rawKey === ME ? userId : rawKey;
    if (type === WILDCARD && key === WILDCARD) {
      allButMembers = true;
      allMembers ||= !state.lazyMembers;
    } else if (type === WILDCARD) stateKeys.push(key);
    else if (key === WILDCARD) {
      if (type === MEMBER) allMembers = true;
      else types.push(type);
    } else pairs.push([type, key]);
  }
  return { allButMembers, allMembers, types, stateKeys, pairs };
}

/** Identifies a room config, so that a change of config sends the room again whole. */
export function requiredStateSignature(state: RequiredState): string {
  const sorted = (patterns: readonly StatePattern[]) => patterns.map((p) => `${p[0]}\u0000${p[1]}`).sort();
  return JSON.stringify([sorted(state.include), sorted(state.exclude), state.lazyMembers]);
}

/**
 * Whether `next` may ask for entries `previous` did not: a new include pattern, lazy members
 * turned on, or an exclusion dropped. Narrowing alone sends nothing (the client has more).
 */
export function requiredStateWidened(previous: RequiredState, next: RequiredState): boolean {
  const key = (pattern: StatePattern) => `${pattern[0]}\u0000${pattern[1]}`;
  const had = new Set(previous.include.map(key));
  const excludes = new Set(next.exclude.map(key));
  return (
    next.include.some((pattern) => !had.has(key(pattern))) ||
    (next.lazyMembers && !previous.lazyMembers) ||
    previous.exclude.some((pattern) => !excludes.has(key(pattern)))
  );
}
