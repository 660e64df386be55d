import { MatrixError } from '@hearth/http';

/**
 * Where a client is in each stream. The room-event position comes first, so a sync token is
 * also a /messages token (`s<events>_...`).
 */
export interface SyncToken {
  readonly events: number;
  readonly accountData: number;
  readonly receipts: number;
  /** Typing positions are per process life; one from before a restart reads as nothing seen. */
  readonly typing: number;
  /** The user's push-rule version. */
  readonly pushRules: number;
  /** To-device messages this device has been sent; syncing with it acknowledges them. */
  readonly toDevice: number;
  /** Device-list changes. */
  readonly deviceLists: number;
  /** Presence changes (0 while presence is off). */
  readonly presence: number;
}

const FIELDS = [
  'events',
  'accountData',
  'receipts',
  'typing',
  'pushRules',
  'toDevice',
  'deviceLists',
  'presence',
] as const;

export function encodeSyncToken(token: SyncToken): string {
  return `s${FIELDS.map((field) => token[field]).join('_')}`;
}

/** Tokens with fewer parts (from an older Hearth) read the missing ones as 0: everything. */
export function decodeSyncToken(text: string): SyncToken {
  const match = /^s(\d{1,16}(?:_\d{1,16}){0,15})$/.exec(text);
  if (!match?.[1]) throw MatrixError.invalidParam('Invalid since token');
  const parts = match[1].split('_').map(Number);
  return Object.fromEntries(FIELDS.map((field, i) => [field, parts[i] ?? 0])) as unknown as SyncToken;
}
