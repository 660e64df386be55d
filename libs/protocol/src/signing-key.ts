import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64';
import { ProtocolError } from './errors';

/** An ed25519 signing key as Matrix names it: `ed25519:<version>`. */
export interface SigningKey {
  readonly algorithm: 'ed25519';
  readonly version: string;
  readonly keyId: `ed25519:${string}`;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  /** Node's key object, kept so that signing does not re-import the seed each time. */
  readonly privateKeyObject: KeyObject;
}

// DER prefixes that turn a raw 32-byte ed25519 seed or public key into PKCS#8 / SPKI (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const KEY_VERSION_PATTERN = /^[A-Za-z0-9_]+$/;

export function signingKeyFromSeed(version: string, seed: Uint8Array | string): SigningKey {
  if (!KEY_VERSION_PATTERN.test(version)) throw new ProtocolError('BAD_KEY', `Invalid key version "${version}"`);
  const seedBytes = typeof seed === 'string' ? decodeBase64(seed) : seed;
  if (seedBytes.length !== 32) throw new ProtocolError('BAD_KEY', 'An ed25519 seed is 32 bytes');
  const privateKeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seedBytes]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKeyObject).export({ format: 'der', type: 'spki' });
  return {
    algorithm: 'ed25519',
    version,
    keyId: `ed25519:${version}`,
    seed: seedBytes,
    publicKey: new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length)),
    privateKeyObject,
  };
}

/** A new key; the version is `a_` and four random characters, like Synapse's. */
export function generateSigningKey(version = randomKeyVersion()): SigningKey {
  return signingKeyFromSeed(version, new Uint8Array(randomBytes(32)));
}

export function publicKeyBase64(key: SigningKey): string {
  return encodeBase64(key.publicKey);
}

/** Public keys already turned into KeyObjects: every PDU a peer sends is checked against the same few. */
const publicKeyObjects = new Map<string, KeyObject>();
const MAX_PUBLIC_KEY_OBJECTS = 1_000;

export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new ProtocolError('BAD_KEY', 'An ed25519 public key is 32 bytes');
  const id = Buffer.from(publicKey).toString('base64');
  const known = publicKeyObjects.get(id);
  if (known) return known;
  const created = createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
    format: 'der',
    type: 'spki',
  });
  // Insertion order: the first entry is the oldest.
  if (publicKeyObjects.size >= MAX_PUBLIC_KEY_OBJECTS)
    publicKeyObjects.delete(publicKeyObjects.keys().next().value as string);
  publicKeyObjects.set(id, created);
  return created;
}

/** Synapse's signing key file: one `ed25519 <version> <unpadded base64 seed>` per line. */
export function formatSigningKeyFile(keys: readonly SigningKey[]): string {
  return keys.map((key) => `${key.algorithm} ${key.version} ${encodeBase64(key.seed)}\n`).join('');
}

export function parseSigningKeyFile(text: string): SigningKey[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, number }) => {
      const [algorithm, version, seed, ...rest] = line.split(/\s+/);
      if (algorithm !== 'ed25519' || !version || !seed || rest.length > 0) {
        throw new ProtocolError('BAD_KEY', `signing key line ${number}: expected "ed25519 <version> <base64 seed>"`);
      }
      try {
        return signingKeyFromSeed(version, seed);
      } catch (error) {
        throw new ProtocolError('BAD_KEY', `signing key line ${number}: ${(error as Error).message}`);
      }
    });
}

function randomKeyVersion(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `a_${Array.from(randomBytes(4), (byte) => alphabet[byte % alphabet.length]).join('')}`;
}
