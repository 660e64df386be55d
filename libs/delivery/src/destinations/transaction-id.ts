import { randomBytes } from 'node:crypto';

/**
 * A new outbound transaction's ID. Random rather than counted: peers remember transaction IDs
 * (Synapse for a day) and drop a transaction whose ID they have seen, and a count restarts when
 * the database behind our server name is recreated or restored from a backup. 128 bits in
 * unpadded URL-safe base64 (22 characters), so it needs no escaping in the `/send/{txnId}` path.
 */
export function newTransactionId(): string {
  return randomBytes(16).toString('base64url');
}
