/**
 * Case- and accent-insensitive prefix matching of names, done in SQL so that LIMIT applies after
 * ranking. Both sides are folded the same way: decomposed (NFD), combining marks U+0300-U+036F
 * dropped, lower-cased; in SQL, runs of anything but letters and digits become one space.
 */
export function foldTerm(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** The words of a search term, folded: what each must be a prefix of. */
export function foldedWords(term: string, maxWords: number): string[] {
  return foldTerm(term)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .slice(0, maxWords);
}

/** SQL: an expression folded as `foldTerm` does (the column or expression is trusted SQL text). */
export function foldSql(expression: string): string {
  return `lower(regexp_replace(normalize(${expression}, NFD), '[\\u0300-\\u036f]', '', 'g'))`;
}

/** SQL: the folded words of an expression with a space before each, so `' ' || prefix` finds a word start. */
export function foldedWordsSql(expression: string): string {
  return `(' ' || regexp_replace(${foldSql(expression)}, '[^[:alnum:]]+', ' ', 'g'))`;
}
