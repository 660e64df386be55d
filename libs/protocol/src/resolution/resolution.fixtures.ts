import type { JsonObject } from '../json';
import { stateKeyTuple, type RoomEvent, type StateKeyTuple } from '../room-event';

/** Test-only: small auth DAGs with readable event IDs. */
export class Dag {
  readonly events = new Map<string, RoomEvent>();
  private clock = 0;

  /** From room version 12 the room ID must be `!` + the create event's ID. */
  constructor(private readonly roomId = '!room:x') {}

  add(
    id: string,
    type: string,
    sender: string,
    content: JsonObject,
    stateKey: string | undefined,
    authEvents: string[],
    prevEvents: string[] = [],
  ): RoomEvent {
    const event: RoomEvent = {
      event_id: `$${id}`,
      room_id: this.roomId,
      sender,
      type,
      content,
      origin_server_ts: ++this.clock,
      depth: this.clock,
      prev_events: prevEvents.map((p) => `$${p}`),
      auth_events: authEvents.map((a) => `$${a}`),
      ...(stateKey !== undefined ? { state_key: stateKey } : {}),
    };
    this.events.set(event.event_id, event);
    return event;
  }

  get = (id: string): RoomEvent | undefined => this.events.get(id);

  /** The state after applying `ids` in order (what one fork believes). */
  stateOf(...ids: string[]): Map<StateKeyTuple, string> {
    const state = new Map<StateKeyTuple, string>();
    for (const id of ids) {
      const event = this.events.get(`$${id}`);
      if (event?.state_key !== undefined) state.set(stateKeyTuple(event.type, event.state_key), event.event_id);
    }
    return state;
  }
}

export const ANA = '@ana:x';
export const BEA = '@bea:x';
export const CARL = '@carl:x';
export const EVE = '@eve:x';

/** A public v10 room where ana has 100 and eve 50; bea and eve are joined. */
export function startingRoom(dag: Dag, users: JsonObject = { [ANA]: 100, [EVE]: 50 }): string[] {
  dag.add('create', 'm.room.create', ANA, { creator: ANA }, '', []);
  dag.add('ima', 'm.room.member', ANA, { membership: 'join' }, ANA, ['create']);
  dag.add(
    'power',
    'm.room.power_levels',
    ANA,
    { users, state_default: 50, ban: 50, kick: 50, events_default: 0, invite: 0 },
    '',
    ['create', 'ima'],
  );
  dag.add('jr', 'm.room.join_rules', ANA, { join_rule: 'public' }, '', ['create', 'ima', 'power']);
  dag.add('imb', 'm.room.member', BEA, { membership: 'join' }, BEA, ['create', 'jr', 'power']);
  dag.add('ime', 'm.room.member', EVE, { membership: 'join' }, EVE, ['create', 'jr', 'power']);
  dag.add('topic', 'm.room.topic', ANA, { topic: 'T1' }, '', ['create', 'ima', 'power']);
  return ['create', 'ima', 'power', 'jr', 'imb', 'ime', 'topic'];
}
