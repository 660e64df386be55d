import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from './base64';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('unpadded base64 (spec appendix examples)', () => {
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('%p <-> %p', (plain, encoded) => {
    expect(encodeBase64(bytes(plain))).toBe(encoded);
    expect(Buffer.from(decodeBase64(encoded)).toString('utf8')).toBe(plain);
  });

  it('decodes padded input too', () => {
    expect(Buffer.from(decodeBase64('Zg==')).toString('utf8')).toBe('f');
  });

  it('uses - and _ in the URL-safe form', () => {
    const data = new Uint8Array([0xfb, 0xff, 0xfe]);
    expect(encodeBase64(data)).toBe('+//+');
    expect(encodeBase64Url(data)).toBe('-__-');
    expect(decodeBase64Url('-__-')).toEqual(data);
  });

  it.each(['Zm9v!', 'Z', 'Zm9v-'])('refuses %p', (text) => {
    expect(() => decodeBase64(text)).toThrow();
  });
});
