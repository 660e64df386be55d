import { createHmac } from 'node:crypto';
import type { TurnConfig } from '@hearth/config';

/** Spec CS API `GET /voip/turnServer`: what a client needs to use the relays. */
export interface TurnServerResponse {
  readonly username: string;
  readonly password: string;
  readonly uris: readonly string[];
  /** Seconds the credentials stay valid. */
  readonly ttl: number;
}

/**
 * coturn's "TURN REST API" (its `use-auth-secret` mode): the username is `expiry:userId`, with the
 * expiry in Unix seconds, and the password the base64 HMAC-SHA1 of that username under the secret
 * coturn shares with us. coturn checks both without asking us, and refuses the credentials once the
 * expiry has passed, so nothing needs storing or revoking here.
 */
export function turnCredentials(turn: TurnConfig, userId: string, nowMs: number): TurnServerResponse {
  const ttl = Math.floor(turn.userLifetimeMs / 1000);
  const username = `${Math.floor(nowMs / 1000) + ttl}:${userId}`;
  return { username, password: turnPassword(turn.sharedSecret, username), uris: turn.uris, ttl };
}

export function turnPassword(sharedSecret: string, username: string): string {
  return createHmac('sha1', sharedSecret).update(username).digest('base64');
}
