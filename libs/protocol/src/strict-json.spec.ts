import { parseStrictJson } from './strict-json';

describe('parseStrictJson', () => {
  it('parses JSON that canonical JSON can represent', () => {
    expect(parseStrictJson(' {"a": [1, -2, {"b": null}], "c": "x\\"}y", "d": true, "e": false} ')).toEqual({
      a: [1, -2, { b: null }],
      c: 'x"}y',
      d: true,
      e: false,
    });
    expect(parseStrictJson('9007199254740991')).toBe(9007199254740991);
  });

  it('answers NOT_JSON for text that is not JSON', () => {
    expect(() => parseStrictJson('{"a":')).toThrow(expect.objectContaining({ code: 'NOT_JSON' }));
  });

  it.each([
    ['a duplicate key', '{"a": 1, "a": 2}'],
    ['a duplicate nested key', '{"x": [{"k": 1, "k": 1}]}'],
    ['a duplicate key spelled with an escape', '{"a": 1, "\\u0061": 2}'],
    ['a fraction', '{"a": 1.0}'],
    ['an exponent', '{"a": 1e3}'],
    ['an integer above 2^53-1', '{"a": 9007199254740992}'],
    ['an integer below -(2^53-1)', '[-9007199254740992]'],
  ])('answers BAD_JSON for %s', (_name, text) => {
    expect(() => parseStrictJson(text)).toThrow(expect.objectContaining({ code: 'BAD_JSON' }));
  });

  it('allows the same key in different objects', () => {
    expect(parseStrictJson('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
  });
});

describe('parseStrictJson limits', () => {
  it('answers BAD_JSON for deep nesting, U+0000 and lone surrogates', () => {
    for (const text of ['['.repeat(10_000) + ']'.repeat(10_000), '{"a":"\\u0000"}', '["\\ud800"]']) {
      expect(() => parseStrictJson(text)).toThrow(expect.objectContaining({ code: 'BAD_JSON' }));
    }
  });
});
