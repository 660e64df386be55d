import { ProtocolError } from './errors';

/** Spec appendix "Unpadded Base64": standard alphabet, no `=` padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/** URL-safe variant (`-` and `_`), used by event IDs from room version 4. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Accepts padded or unpadded input in the standard alphabet, as the spec asks of decoders. */
export function decodeBase64(text: string): Uint8Array {
  return decodeWith(text, /^[A-Za-z0-9+/]*={0,2}$/, 'base64');
}

export function decodeBase64Url(text: string): Uint8Array {
  return decodeWith(text, /^[A-Za-z0-9_-]*={0,2}$/, 'base64url');
}

function decodeWith(text: string, alphabet: RegExp, encoding: 'base64' | 'base64url'): Uint8Array {
  const unpadded = text.replace(/=+$/, '');
  if (!alphabet.test(text) || unpadded.length % 4 === 1) throw new ProtocolError('BAD_JSON', 'Invalid base64');
  return new Uint8Array(Buffer.from(unpadded, encoding));
}
