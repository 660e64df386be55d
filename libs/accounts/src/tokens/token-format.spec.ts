import { ACCESS_TOKEN_PREFIX, hashToken, newOpaqueToken, REFRESH_TOKEN_PREFIX } from './token-format';

describe('token format', () => {
  it('uses distinct, recognisable prefixes for access and refresh tokens', () => {
    expect(ACCESS_TOKEN_PREFIX).toBe('hat_');
    expect(REFRESH_TOKEN_PREFIX).toBe('hrt_');
  });

  it('makes a token of the prefix and 32 random bytes in unpadded base64url', () => {
    const token = newOpaqueToken(ACCESS_TOKEN_PREFIX);
    expect(token).toMatch(/^hat_[A-Za-z0-9_-]{43}$/);
    const body = token.slice(ACCESS_TOKEN_PREFIX.length);
    expect(Buffer.from(body, 'base64url')).toHaveLength(32);
    // Round-trips: the body is canonical base64url, nothing else.
    expect(Buffer.from(body, 'base64url').toString('base64url')).toBe(body);
    expect(newOpaqueToken(REFRESH_TOKEN_PREFIX)).toMatch(/^hrt_[A-Za-z0-9_-]{43}$/);
  });

  it('never makes the same token twice (1,000 draws)', () => {
    const tokens = new Set(Array.from({ length: 1_000 }, () => newOpaqueToken(ACCESS_TOKEN_PREFIX)));
    expect(tokens.size).toBe(1_000);
  });

  it('hashes a token with SHA-256 over its UTF-8 bytes, prefix included (known answers)', () => {
    // FIPS 180-2 test vector.
    expect(hashToken('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('').toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // U+00E9 is c3 a9 in UTF-8; hashed as Latin-1 (one byte, e9) it would be de2e331d….
    expect(hashToken('\u00e9').toString('hex')).toBe(
      '4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c',
    );
  });

  it('answers a 32-byte Buffer, the same for the same token and different for another', () => {
    const token = newOpaqueToken(ACCESS_TOKEN_PREFIX);
    const hash = hashToken(token);
    expect(Buffer.isBuffer(hash)).toBe(true);
    expect(hash).toHaveLength(32);
    expect(hashToken(token).equals(hash)).toBe(true);
    expect(hashToken(`${token}x`).equals(hash)).toBe(false);
    // The prefix is part of what is hashed: the bare body is another token.
    expect(hashToken(token.slice(ACCESS_TOKEN_PREFIX.length)).equals(hash)).toBe(false);
  });
});
