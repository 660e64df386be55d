import { Parser } from 'htmlparser2';

/** An Open Graph dictionary as the spec's preview_url answers it: `og:*` keys, strings or numbers. */
export type OpenGraph = Record<string, string | number>;

/** Longer values are cut: a preview is a card, not a copy of the page. */
const MAX_VALUE_LENGTH = 1000;
const MAX_KEYS = 50;

/**
 * Reads a page's Open Graph tags (`<meta property="og:...">`), falling back to `<title>` and
 * `<meta name="description">` as Synapse does; `og:image` is made absolute against the page's URL.
 */
export function parseOpenGraph(html: string, pageUrl: URL): OpenGraph {
  const og: OpenGraph = {};
  let title = '';
  let inTitle = false;
  let description: string | undefined;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'title') inTitle = true;
        if (name !== 'meta') return;
        const key = (attributes.property ?? attributes.name ?? '').trim();
        const content = attributes.content;
        if (content === undefined) return;
        if (key.startsWith('og:') && !(key in og) && Object.keys(og).length < MAX_KEYS) og[key] = clip(content);
        if (key.toLowerCase() === 'description' && description === undefined) description = clip(content);
      },
      ontext(text) {
        if (inTitle) title += text;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  if (og['og:title'] === undefined && title.trim() !== '') og['og:title'] = clip(title.trim());
  if (og['og:description'] === undefined && description !== undefined) og['og:description'] = description;
  const image = og['og:image'];
  if (typeof image === 'string') {
    const absolute = absoluteHttpUrl(image, pageUrl);
    if (absolute) og['og:image'] = absolute;
    else delete og['og:image'];
  }
  return og;
}

function clip(value: string): string {
  return value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH - 1)}…` : value;
}

function absoluteHttpUrl(value: string, base: URL): string | undefined {
  try {
    const url = new URL(value, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
