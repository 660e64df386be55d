import { contentDisposition, isInlineType } from './content-disposition';

describe('contentDisposition', () => {
  it('is inline only for the spec safe list, whatever the parameters or case', () => {
    expect(isInlineType('image/PNG')).toBe(true);
    expect(isInlineType('text/plain; charset=utf-8')).toBe(true);
    expect(isInlineType('text/html')).toBe(false);
    expect(isInlineType('image/svg+xml')).toBe(false);
    expect(isInlineType('application/javascript')).toBe(false);
    expect(isInlineType('application/octet-stream')).toBe(false);
  });

  it('quotes plain ASCII names and encodes the rest per RFC 8187', () => {
    expect(contentDisposition('image/jpeg', 'filename.jpg')).toBe('inline; filename="filename.jpg"');
    expect(contentDisposition('application/pdf', 'War and Peace.pdf')).toBe('attachment; filename="War and Peace.pdf"');
    expect(contentDisposition('text/plain', null)).toBe('inline');
    expect(contentDisposition('text/plain', 'naïve.txt')).toBe("inline; filename*=utf-8''na%C3%AFve.txt");
    expect(contentDisposition('text/plain', 'a"b\\c')).toBe("inline; filename*=utf-8''a%22b%5Cc");
    expect(contentDisposition('text/plain', "it's (1).txt")).toBe('inline; filename="it\'s (1).txt"');
    expect(contentDisposition('text/plain', "é's (1).txt")).toBe("inline; filename*=utf-8''%C3%A9%27s%20%281%29.txt");
  });
});
