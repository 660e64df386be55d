import { redirectTargetAllowed } from './redirect-target';

describe('redirectTargetAllowed', () => {
  it.each([
    ['https://cdn.example.org/file', true],
    ['https://93.184.215.14/file', true],
    ['http://cdn.example.org/file', false],
    ['https://user:secret@cdn.example.org/file', false],
    ['https://127.0.0.1:8448/file', false],
    ['https://10.1.2.3/file', false],
    ['https://169.254.169.254/latest/meta-data', false],
    ['https://[::1]/file', false],
    ['https://[::ffff:192.168.1.1]/file', false],
    ['https://localhost/file', false],
    ['https://admin.localhost/file', false],
  ])('%s: %s', (url, allowed) => {
    expect(redirectTargetAllowed(new URL(url), false)).toBe(allowed);
  });

  it('lets the operator allow private targets, never plain http', () => {
    expect(redirectTargetAllowed(new URL('https://127.0.0.1:8448/file'), true)).toBe(true);
    expect(redirectTargetAllowed(new URL('http://127.0.0.1:8448/file'), true)).toBe(false);
  });
});
