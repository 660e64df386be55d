import type { JsonObject, JsonValue } from '../json';
import { boundedMemo } from './bounded-memo';

/**
 * Spec appendix "Dot-separated property paths": `content.m\.mentions.user_ids` walks `content`,
 * then the key `m.mentions`, then `user_ids`. `\.` and `\\` are escapes.
 */
export function splitPropertyPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const char = path[i];
    if (char === '\\' && (path[i + 1] === '.' || path[i + 1] === '\\')) {
      current += path[i + 1];
      i++;
    } else if (char === '.') {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

/** Push rules ask for the same few paths for every member of a room: split each once. */
const splitPropertyPathOnce = boundedMemo<readonly string[]>(1000, splitPropertyPath);

export function eventProperty(event: JsonObject, path: string): JsonValue | undefined {
  let value: JsonValue | undefined = event;
  for (const part of splitPropertyPathOnce(path)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = value[part];
  }
  return value;
}
