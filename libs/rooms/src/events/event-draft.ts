import type { JsonObject } from '@hearth/protocol';

/** What a local user asks to send; the writer turns it into a full PDU. */
export interface EventDraft {
  readonly type: string;
  readonly sender: string;
  readonly content: JsonObject;
  readonly state_key?: string;
  /** For m.room.redaction: the event to redact. */
  readonly redacts?: string;
}

/** Spec "Size limits": the whole PDU, as JSON, is at most 65,536 bytes. */
export const MAX_EVENT_BYTES = 65_536;
export const MAX_TYPE_BYTES = 255;
export const MAX_STATE_KEY_BYTES = 255;
