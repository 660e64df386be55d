import { canonicalJson, compareCodePoints } from './json';
import { ProtocolError } from './errors';

describe('canonicalJson (spec appendix examples)', () => {
  it.each([
    ['{}', '{}'],
    ['{"one": 1, "two": "Two"}', '{"one":1,"two":"Two"}'],
    ['{"b": "2", "a": "1"}', '{"a":"1","b":"2"}'],
    ['{"b":"2","a":"1"}', '{"a":"1","b":"2"}'],
    [
      '{"auth":{"success":true,"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"medium":"email","address":"john.doe@example.org"},{"medium":"msisdn","address":"123456789"}]}}}',
      '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
    ],
    ['{"a": "日本語"}', '{"a":"日本語"}'],
    ['{"本": 2, "日": 1}', '{"日":1,"本":2}'],
    ['{"a": "\\u65E5"}', '{"a":"日"}'],
    ['{"a": null}', '{"a":null}'],
    ['{"a": -0, "b": 1e10}', '{"a":0,"b":10000000000}'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalJson(JSON.parse(input))).toBe(expected);
  });

  it('orders keys by code point, not by UTF-16 unit', () => {
    // U+1F600 is a surrogate pair (0xD83D...), which a UTF-16 sort puts before U+FFFD.
    expect(canonicalJson({ '\u{1F600}': 1, '\uFFFD': 2 })).toBe('{"\uFFFD":2,"\u{1F600}":1}');
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'ab')).toBe(0);
  });

  it('orders any strings as their code point sequences do, surrogate pairs and all', () => {
    const byCodePoints = (a: string, b: string) => {
      const [x, y] = [
        Array.from(a, (c) => c.codePointAt(0) as number),
        Array.from(b, (c) => c.codePointAt(0) as number),
      ];
      for (let i = 0; i < Math.min(x.length, y.length); i++)
        if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
      return x.length - y.length;
    };
    const alphabet = ['a', 'z', '\u00e9', '\uD7FF', '\uE000', '\uFFFD', '\u{1F600}', '\u{1F601}', '\u{10FFFF}'];
    const strings = [''];
    for (const first of alphabet) for (const second of ['', ...alphabet]) strings.push(first + second);
    for (const a of strings)
      for (const b of strings) expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(byCodePoints(a, b)));
  });

  it('escapes only what JSON requires and keeps non-ASCII as UTF-8', () => {
    expect(canonicalJson({ a: 'line\nbreak "quoted" \\ \u0001 é' })).toBe(
      '{"a":"line\\nbreak \\"quoted\\" \\\\ \\u0001 é"}',
    );
  });

  it.each([[1.5], [2 ** 53], [-(2 ** 53)], [NaN], [Infinity]])('refuses the number %p', (value) => {
    expect(() => canonicalJson({ value })).toThrow(ProtocolError);
  });

  it('accepts the extremes of the integer range', () => {
    expect(canonicalJson([2 ** 53 - 1, -(2 ** 53) + 1])).toBe('[9007199254740991,-9007199254740991]');
  });

  it('omits undefined object members and refuses non-JSON values', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson(() => 1)).toThrow(ProtocolError);
    expect(() => canonicalJson(10n)).toThrow(ProtocolError);
  });
});
