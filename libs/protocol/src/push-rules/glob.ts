/** Compiled patterns, reused across members and events: evaluation runs for every member of a room. */
const wholeValue = new Map<string, RegExp>();
const words = new Map<string, RegExp>();
const CACHE_LIMIT = 2000;

function compiled(cache: Map<string, RegExp>, pattern: string, source: () => string): RegExp {
  let regex = cache.get(pattern);
  if (!regex) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    regex = new RegExp(source(), 'isu');
    cache.set(pattern, regex);
  }
  return regex;
}

/** Spec appendix "Glob-style matching": `*` any run, `?` one character; case-insensitive here. */
function globBody(pattern: string): string {
  return pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
}

export function globMatchesWhole(pattern: string, value: string): boolean {
  return compiled(wholeValue, pattern, () => `^${globBody(pattern)}$`).test(value);
}

/** For `content.body`: the pattern may match any part that starts and ends on a word boundary. */
export function globMatchesWords(pattern: string, value: string): boolean {
  return compiled(words, pattern, () => `(?:^|[^A-Za-z0-9_])${globBody(pattern)}(?:$|[^A-Za-z0-9_])`).test(value);
}
