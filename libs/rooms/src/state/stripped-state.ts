import { isJsonObject, type JsonObject, type RoomEvent } from '@hearth/protocol';

/** Spec "Stripped state": the state types an invitee or knocker sees of a room they are not in. */
export const STRIPPED_STATE_TYPES: ReadonlySet<string> = new Set([
  'm.room.create',
  'm.room.join_rules',
  'm.room.name',
  'm.room.avatar',
  'm.room.canonical_alias',
  'm.room.topic',
  'm.room.encryption',
]);

export function strip(event: RoomEvent): JsonObject {
  return { type: event.type, state_key: event.state_key ?? '', content: event.content, sender: event.sender };
}

/** What another server sent with an invite or a knock (`unsigned.invite_room_state`, `knock_room_state`), kept only if shaped as stripped state. */
export function inviteRoomStateOf(event: RoomEvent): JsonObject[] | undefined {
  const listed = event.unsigned?.invite_room_state ?? event.unsigned?.knock_room_state;
  if (!Array.isArray(listed)) return undefined;
  return listed.filter(
    (item): item is JsonObject =>
      isJsonObject(item) &&
      typeof item.type === 'string' &&
      typeof item.state_key === 'string' &&
      isJsonObject(item.content) &&
      typeof item.sender === 'string',
  );
}
