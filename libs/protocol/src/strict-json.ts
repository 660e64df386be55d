import { ProtocolError } from './errors';
import type { JsonValue } from './json';
import { assertStorableJson } from './json-limits';

/**
 * Parses JSON that must be canonicalisable, as room versions 6+ require of events: refuses
 * duplicate keys, numbers with a fraction or exponent, integers outside ±(2^53−1), and what
 * `assertStorableJson` refuses (deep nesting, U+0000, lone surrogates). JSON.parse alone
 * silently keeps the last duplicate and rounds large integers.
 */
export function parseStrictJson(text: string): JsonValue {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch {
    throw new ProtocolError('NOT_JSON', 'Content is not valid JSON');
  }
  // Before the scanner, whose recursion follows the nesting.
  assertStorableJson(parsed);
  new StrictJsonScanner(text).scan();
  return parsed;
}

/** Walks syntactically valid JSON text (JSON.parse has checked it) and applies the extra rules. */
class StrictJsonScanner {
  private position = 0;

  constructor(private readonly text: string) {}

  scan(): void {
    this.value();
  }

  private value(): void {
    this.skipWhitespace();
    const char = this.text[this.position];
    if (char === '{') this.object();
    else if (char === '[') this.array();
    else if (char === '"') this.string();
    else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) this.number();
    else
      this.position +=
        this.text.startsWith('null', this.position) || this.text.startsWith('true', this.position) ? 4 : 5;
  }

  private object(): void {
    const keys = new Set<string>();
    this.position++;
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      const key = this.string();
      if (keys.has(key)) throw new ProtocolError('BAD_JSON', `Duplicate key ${JSON.stringify(key)}`);
      keys.add(key);
      this.skipWhitespace();
      this.position++; // ':'
      this.value();
      this.skipWhitespace();
      if (this.text[this.position++] === '}') return;
    }
  }

  private array(): void {
    this.position++;
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position++;
      return;
    }
    for (;;) {
      this.value();
      this.skipWhitespace();
      if (this.text[this.position++] === ']') return;
    }
  }

  private string(): string {
    const start = this.position;
    this.position++;
    while (this.text[this.position] !== '"') this.position += this.text[this.position] === '\\' ? 2 : 1;
    this.position++;
    return JSON.parse(this.text.slice(start, this.position)) as string;
  }

  private number(): void {
    const match = /^-?\d+([.eE][-+\d.eE]*)?/.exec(this.text.slice(this.position, this.position + 400));
    const lexeme = match?.[0] ?? '';
    if (match?.[1]) throw new ProtocolError('BAD_JSON', `Number ${lexeme} is not an integer`);
    if (!Number.isSafeInteger(Number(lexeme)))
      throw new ProtocolError('BAD_JSON', `Integer ${lexeme} is outside ±(2^53−1)`);
    this.position += lexeme.length;
  }

  private skipWhitespace(): void {
    while (/[ \t\n\r]/.test(this.text[this.position] ?? '')) this.position++;
  }
}
