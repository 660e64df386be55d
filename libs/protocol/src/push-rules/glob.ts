import { boundedMemo } from './bounded-memo';

/** Spec appendix "Glob-style matching": `*` any run, `?` one character; case-insensitive here. */
function globBody(pattern: string): string {
  return pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
}

const CACHE_LIMIT = 2000;
const wholeValue = boundedMemo(CACHE_LIMIT, (pattern) => new RegExp(`^${globBody(pattern)}$`, 'isu'));
const words = boundedMemo(
  CACHE_LIMIT,
  (pattern) => new RegExp(`(?:^|[^A-Za-z0-9_])${globBody(pattern)}(?:$|[^A-Za-z0-9_])`, 'isu'),
);

export function globMatchesWhole(pattern: string, value: string): boolean {
  return wholeValue(pattern).test(value);
}

/** For `content.body`: the pattern may match any part that starts and ends on a word boundary. */
export function globMatchesWords(pattern: string, value: string): boolean {
  return words(pattern).test(value);
}
