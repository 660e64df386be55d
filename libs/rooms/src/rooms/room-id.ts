import { randomBytes } from 'node:crypto';

/** `!<18 letters and digits>:<server>` for room versions up to 11. */
export function newRoomId(serverName: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return `!${Array.from(randomBytes(18), (byte) => alphabet[byte % alphabet.length]).join('')}:${serverName}`;
}
