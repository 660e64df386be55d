import { parseOpenGraph } from './open-graph';

describe('parseOpenGraph', () => {
  const page = new URL('https://news.example/articles/1');

  it('reads og: tags, decodes entities and makes og:image absolute', () => {
    const og = parseOpenGraph(
      `<!doctype html><html><head><title>Ignored</title>
        <meta property="og:title" content="Tom &amp; Jerry">
        <META PROPERTY="og:description" CONTENT="A cat and a mouse">
        <meta property="og:image" content="/img/cover.png">
        <meta property="og:type" content="article"></head><body>text</body></html>`,
      page,
    );
    expect(og).toEqual({
      'og:title': 'Tom & Jerry',
      'og:description': 'A cat and a mouse',
      'og:image': 'https://news.example/img/cover.png',
      'og:type': 'article',
    });
  });

  it('falls back to <title> and the description meta, and drops an og:image that is no web URL', () => {
    const og = parseOpenGraph(
      '<html><head><title> Plain page </title><meta name="description" content="About it">' +
        '<meta property="og:image" content="javascript:alert(1)"></head></html>',
      page,
    );
    expect(og).toEqual({ 'og:title': 'Plain page', 'og:description': 'About it' });
  });

  it('copes with broken markup', () => {
    expect(parseOpenGraph('<meta property="og:title" content="x"<title>unclosed', page)).toMatchObject({});
    expect(parseOpenGraph('', page)).toEqual({});
  });
});
