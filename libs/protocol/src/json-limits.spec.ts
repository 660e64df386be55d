import {
  assertStorableJson,
  isStorableString,
  jsonTextNeedsLimitCheck,
  MAX_JSON_DEPTH,
  unstorableJsonReason,
} from './json-limits';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('unstorableJsonReason', () => {
  it('accepts ordinary JSON, astral characters (surrogate pairs) and the text "\\u0000"', () => {
    expect(
      unstorableJsonReason({ body: 'héllo 😀', list: [1, null, true, { k: 'v' }], escaped: '\\u0000' }),
    ).toBeUndefined();
  });

  it.each([
    ['U+0000 in a value', { body: 'a\u0000b' }],
    ['U+0000 in a key', { ['a\u0000']: 1 }],
    ['a lone high surrogate', ['x\ud800']],
    ['a lone low surrogate', { deep: [{ name: '\udc00y' }] }],
    ['a high surrogate before a non-surrogate', '\ud83dx'],
    ['a reversed pair', '\ude00\ud83d'],
  ])('refuses %s', (_name, value) => {
    expect(unstorableJsonReason(value)).toMatch(/U\+0000 or unpaired surrogates/);
  });

  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels and refuses one more`, () => {
    expect(unstorableJsonReason(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(unstorableJsonReason(nested(MAX_JSON_DEPTH + 1))).toMatch(/nested deeper than 128/);
    expect(unstorableJsonReason(nested(10_000))).toMatch(/nested deeper/);
    expect(unstorableJsonReason({ a: { b: 1 } }, { maxDepth: 2 })).toBeUndefined();
    expect(unstorableJsonReason({ a: { b: {} } }, { maxDepth: 2 })).toMatch(/nested deeper than 2/);
  });

  it('checks the depth alone when asked to leave strings to the caller', () => {
    expect(unstorableJsonReason({ pdus: [{ body: '\u0000' }] }, { strings: false })).toBeUndefined();
    expect(unstorableJsonReason(nested(200), { strings: false })).toMatch(/nested deeper/);
  });

  it('throws BAD_JSON from assertStorableJson', () => {
    expect(() => assertStorableJson({ a: '\u0000' })).toThrow(expect.objectContaining({ code: 'BAD_JSON' }));
    expect(() => assertStorableJson({ a: 'fine' })).not.toThrow();
  });

  it('tells from the text alone when a body needs no walk, never missing one that does', () => {
    expect(jsonTextNeedsLimitCheck('{"body":"hello \\ud83d\\ude00","n":[1,{"k":[]}]}')).toEqual({
      strings: true,
      depth: false,
    });
    expect(jsonTextNeedsLimitCheck('{"body":"plain \\u00e9"}')).toEqual({ strings: false, depth: false });
    expect(jsonTextNeedsLimitCheck('{"a":"\\u0000"}').strings).toBe(true);
    expect(jsonTextNeedsLimitCheck('["\\uDC00"]').strings).toBe(true);
    expect(jsonTextNeedsLimitCheck('['.repeat(129) + ']'.repeat(129)).depth).toBe(true);
    expect(jsonTextNeedsLimitCheck('['.repeat(128) + ']'.repeat(128)).depth).toBe(false);
  });

  it('tells storable strings apart', () => {
    expect(isStorableString('plain')).toBe(true);
    expect(isStorableString('\ud83d\ude00')).toBe(true);
    expect(isStorableString('\u0000')).toBe(false);
    expect(isStorableString('\ud800')).toBe(false);
  });
});
