import { randomBytes } from 'node:crypto';
import { MatrixError } from '@hearth/http';
import { isValidServerName } from '@hearth/protocol';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MEDIA_ID_LENGTH = 24;

/** 24 letters, as Synapse makes them: about 137 bits, so a media ID cannot be guessed. */
export function newMediaId(): string {
  const bytes = randomBytes(MEDIA_ID_LENGTH * 2);
  let id = '';
  // 52 letters: bytes of 208 and above are skipped so each letter is equally likely
  for (const byte of bytes) {
    if (byte < 208) id += ALPHABET[byte % ALPHABET.length];
    if (id.length === MEDIA_ID_LENGTH) return id;
  }
  return id + newMediaId().slice(id.length);
}

/**
 * Spec "Security considerations" of the content repository: only `A-Za-z0-9_-` in a media ID and
 * only valid server names, so no `mxc://` URI can name a path. Our store never uses either as one,
 * but a name that could not exist is refused before any lookup.
 */
export function checkMediaAddress(serverName: string, mediaId: string): void {
  if (!isValidServerName(serverName)) throw MatrixError.invalidParam('Invalid server name');
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(mediaId)) throw MatrixError.invalidParam('Invalid media ID');
}

export function mxcUri(serverName: string, mediaId: string): string {
  return `mxc://${serverName}/${mediaId}`;
}
