/**
 * What push-rule evaluation derives from a rule (a compiled glob, a split path, a parsed member
 * count), kept by its source text: rooms share the few that rules use, and evaluation runs for
 * every member of a room. A cache that reaches `limit` starts over rather than grow.
 */
export function boundedMemo<V>(limit: number, derive: (key: string) => V): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as V;
    if (cache.size >= limit) cache.clear();
    const value = derive(key);
    cache.set(key, value);
    return value;
  };
}
