import {
  formatSigningKeyFile,
  generateSigningKey,
  parseSigningKeyFile,
  publicKeyBase64,
  publicKeyObject,
  signingKeyFromSeed,
} from './signing-key';
import { signJson, verifyJsonSignature } from './signing';

/** Spec appendix "Cryptographic Test Vectors". */
const SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1';
const key = signingKeyFromSeed('1', SEED);

describe('JSON signing (spec test vectors)', () => {
  it('signs {} as the spec shows', () => {
    expect(signJson({}, 'domain', key)).toEqual({
      signatures: {
        domain: {
          'ed25519:1': 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ',
        },
      },
    });
  });

  it('signs an object with data values as the spec shows', () => {
    expect(signJson({ one: 1, two: 'Two' }, 'domain', key)).toEqual({
      one: 1,
      two: 'Two',
      signatures: {
        domain: {
          'ed25519:1': 'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw',
        },
      },
    });
  });

  it('ignores unsigned, keeps other servers’ signatures and does not mutate its input', () => {
    const input = { one: 1, two: 'Two', unsigned: { age: 5 }, signatures: { other: { 'ed25519:x': 'sig' } } };
    const signed = signJson(input, 'domain', key);
    expect(signed.unsigned).toEqual({ age: 5 });
    expect(signed.signatures).toEqual({
      other: { 'ed25519:x': 'sig' },
      domain: { 'ed25519:1': 'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw' },
    });
    expect(input.signatures).toEqual({ other: { 'ed25519:x': 'sig' } });
  });

  it('verifies good signatures and rejects tampering, wrong keys and garbage', () => {
    const signed = signJson({ one: 1 }, 'domain', key);
    expect(verifyJsonSignature(signed, 'domain', 'ed25519:1', key.publicKey)).toBe(true);
    expect(verifyJsonSignature({ ...signed, unsigned: { changed: true } }, 'domain', 'ed25519:1', key.publicKey)).toBe(
      true,
    );
    expect(verifyJsonSignature({ ...signed, one: 2 }, 'domain', 'ed25519:1', key.publicKey)).toBe(false);
    expect(verifyJsonSignature(signed, 'domain', 'ed25519:1', generateSigningKey().publicKey)).toBe(false);
    expect(verifyJsonSignature(signed, 'elsewhere', 'ed25519:1', key.publicKey)).toBe(false);
    expect(
      verifyJsonSignature(
        { one: 1, signatures: { domain: { 'ed25519:1': '!!!' } } },
        'domain',
        'ed25519:1',
        key.publicKey,
      ),
    ).toBe(false);
    expect(verifyJsonSignature(signed, 'domain', 'ed25519:1', new Uint8Array(5))).toBe(false);
  });
});

describe('signing keys', () => {
  it('derives the public key that verifies the spec’s published signature', () => {
    const published = {
      signatures: {
        domain: {
          'ed25519:1': 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ',
        },
      },
    };
    expect(publicKeyBase64(key)).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(verifyJsonSignature(published, 'domain', 'ed25519:1', key.publicKey)).toBe(true);
  });

  it('round-trips through the Synapse key-file format', () => {
    const generated = generateSigningKey();
    expect(generated.version).toMatch(/^a_[A-Za-z0-9]{4}$/);
    const text = formatSigningKeyFile([generated]);
    expect(text).toBe(
      `ed25519 ${generated.version} ${Buffer.from(generated.seed).toString('base64').replace(/=+$/, '')}\n`,
    );
    const [parsed] = parseSigningKeyFile(text);
    expect(parsed?.keyId).toBe(generated.keyId);
    expect(parsed?.publicKey).toEqual(generated.publicKey);
  });

  it('reads a key file as Synapse writes it', () => {
    const [parsed] = parseSigningKeyFile(`ed25519 1 ${SEED}\n`);
    expect(parsed?.keyId).toBe('ed25519:1');
  });

  it.each([
    ['rsa 1 abc', /line 1/],
    ['ed25519 1', /line 1/],
    ['\ned25519 1 c2hvcnQ', /line 2: An ed25519 seed is 32 bytes/],
    ['ed25519 bad-version! ' + SEED, /Invalid key version/],
  ])('names the bad line in %p', (text, message) => {
    expect(() => parseSigningKeyFile(text)).toThrow(message);
  });
});

describe('publicKeyObject', () => {
  it('builds one key object per public key and reuses it, and the reused one still verifies', () => {
    const signed = signJson({ n: 1 }, 'domain', key);
    expect(publicKeyObject(key.publicKey)).toBe(publicKeyObject(new Uint8Array(key.publicKey)));
    expect(verifyJsonSignature(signed, 'domain', 'ed25519:1', key.publicKey)).toBe(true);
    expect(verifyJsonSignature(signed, 'domain', 'ed25519:1', generateSigningKey().publicKey)).toBe(false);
  });
});
