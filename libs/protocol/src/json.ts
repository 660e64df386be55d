import { ProtocolError } from './errors';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * Spec appendix "Canonical JSON": the shortest UTF-8 encoding, keys sorted by Unicode code point,
 * integers only within ±(2^53−1), no `-0`. Floats, NaN and non-JSON values are refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return canonicalNumber(value);
    case 'object':
      return Array.isArray(value)
        ? `[${value.map(canonicalJson).join(',')}]`
        : canonicalObject(value as Record<string, unknown>);
    default:
      throw new ProtocolError('BAD_JSON', `${typeof value} has no JSON form`);
  }
}

function canonicalNumber(value: number): string {
  if (!Number.isSafeInteger(value)) throw new ProtocolError('BAD_JSON', `${value} is not an integer within ±(2^53−1)`);
  return Object.is(value, -0) ? '0' : String(value);
}

function canonicalObject(object: Record<string, unknown>): string {
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort(compareCodePoints);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`).join(',')}}`;
}

/**
 * Orders strings by Unicode code point. JavaScript's default sort compares UTF-16 code units,
 * which puts astral characters (surrogate pairs) before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A unit below the surrogates orders as its code point does; two from U+D800 on may not
    // (a surrogate pair is above U+FFFF), so those compare whole characters.
    if (x < 0xd800 || y < 0xd800) return x - y;
    return compareFromSurrogates(a.slice(i), b.slice(i));
  }
  return a.length - b.length;
}

function compareFromSurrogates(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done === y.done ? 0 : x.done ? -1 : 1;
    const difference = (x.value.codePointAt(0) as number) - (y.value.codePointAt(0) as number);
    if (difference !== 0) return difference;
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
