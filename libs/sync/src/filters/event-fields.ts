import { isJsonObject, splitPropertyPath, type JsonObject, type JsonValue } from '@hearth/protocol';

/**
 * Spec "Filtering", `event_fields`: each event keeps only the listed fields, given as dotted
 * paths (`content.body`); `\.` is a literal dot in a key and `\\` a backslash.
 */
export function projectEventFields(event: JsonObject, fields: readonly string[]): JsonObject {
  const projected: JsonObject = {};
  for (const path of fields.map(splitPropertyPath)) copyPath(event, projected, path);
  return projected;
}

function copyPath(from: JsonObject, to: JsonObject, path: readonly string[]): void {
  const [key, ...rest] = path;
  if (key === undefined || !(key in from)) return;
  const value = from[key] as JsonValue;
  if (rest.length === 0) {
    to[key] = value;
    return;
  }
  if (!isJsonObject(value)) return;
  const target = isJsonObject(to[key]) ? to[key] : {};
  copyPath(value, target, rest);
  if (Object.keys(target).length > 0) to[key] = target;
}

/** Applies `event_fields` to the room events of a sync response's joined and left rooms. */
export function projectRoomEvents(rooms: Record<string, JsonObject>, fields: readonly string[]): void {
  for (const room of Object.values(rooms)) {
    for (const section of ['timeline', 'state']) {
      const part = room[section];
      if (isJsonObject(part) && Array.isArray(part.events))
        part.events = part.events.map((event) => (isJsonObject(event) ? projectEventFields(event, fields) : event));
    }
  }
}
