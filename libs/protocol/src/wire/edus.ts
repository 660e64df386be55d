import { z } from 'zod';
import type { JsonObject } from '../json';
import { JsonObjectSchema } from './json-object';

/**
 * Spec SS API "EDUs", parsed by the receiving side (libs/federation's EduHandler, e2ee's
 * to-device) and typing what the sending side builds (`edu()`). Unknown fields pass through.
 */
export const Edu = z.looseObject({ edu_type: z.string(), content: JsonObjectSchema });

/** `m.typing` */
export const TypingEdu = z.looseObject({ room_id: z.string(), user_id: z.string(), typing: z.boolean() });

/**
 * One user's receipt in `m.receipt`. The spec requires `data.ts`, but nothing reads it and a
 * receipt without it is still a receipt, so it may be absent (as the event IDs' count: only the
 * first is used).
 */
export const UserReceipt = z.looseObject({
  event_ids: z.array(z.string()),
  data: z.looseObject({ ts: z.number().optional(), thread_id: z.string().optional() }).optional(),
});

/** `m.receipt`: room ID → receipt type → user ID → receipt. Receipt types other than `m.read` pass unparsed. */
export const ReceiptEdu = z.record(
  z.string(),
  z.looseObject({ 'm.read': z.record(z.string(), UserReceipt).optional() }),
);

/** `m.device_list_update` (spec: `prev_id` may be missing for the first update of a sequence). */
export const DeviceListUpdateEdu = z.looseObject({
  user_id: z.string(),
  device_id: z.string(),
  stream_id: z.number().int(),
  prev_id: z.array(z.number().int()).optional(),
  deleted: z.boolean().optional(),
  device_display_name: z.string().optional(),
  keys: JsonObjectSchema.optional(),
});

/** `m.signing_key_update` */
export const SigningKeyUpdateEdu = z.looseObject({
  user_id: z.string(),
  master_key: JsonObjectSchema.optional(),
  self_signing_key: JsonObjectSchema.optional(),
});

/** `m.direct_to_device`: user ID → device ID (or `*`) → the message's content. */
export const DirectToDeviceEdu = z.looseObject({
  sender: z.string(),
  type: z.string().min(1).max(255),
  message_id: z.string().min(1).max(255),
  messages: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))),
});

/** One user's entry in `m.presence`'s `push` (spec SS API "Presence"). */
export const PresenceEduEntry = z.looseObject({
  user_id: z.string(),
  presence: z.enum(['online', 'unavailable', 'offline']),
  last_active_ago: z.number().int().min(0).optional(),
  status_msg: z.string().max(1024).nullable().optional(),
  currently_active: z.boolean().optional(),
});

/**
 * `m.presence`: entries are parsed one by one (`presenceEntries`), so that one malformed entry
 * sinks only itself; only kept when the receiver has presence on.
 */
export const PresenceEdu = z.looseObject({ push: z.array(z.unknown()).max(1000) });

/** The well-formed entries of a parsed m.presence content. */
export function presenceEntries(content: z.output<typeof PresenceEdu>): Array<z.output<typeof PresenceEduEntry>> {
  return content.push.flatMap((entry) => {
    const parsed = PresenceEduEntry.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

/** The EDU types Hearth sends and understands, each with its content's schema. */
export const EDU_CONTENTS = {
  'm.typing': TypingEdu,
  'm.receipt': ReceiptEdu,
  'm.device_list_update': DeviceListUpdateEdu,
  'm.signing_key_update': SigningKeyUpdateEdu,
  'm.direct_to_device': DirectToDeviceEdu,
  'm.presence': PresenceEdu,
} as const;

export type EduType = keyof typeof EDU_CONTENTS;
export type EduContent<T extends EduType> = z.input<(typeof EDU_CONTENTS)[T]>;

/** An EDU to send, its content checked by the compiler against the schema its receiver parses it with. */
export function edu<T extends EduType>(type: T, content: EduContent<T>): JsonObject {
  return { edu_type: type, content: content as JsonObject };
}

/** An understood EDU, its content parsed: switching on `type` narrows `content`. */
export type ParsedEdu = { [T in EduType]: { type: T; content: z.output<(typeof EDU_CONTENTS)[T]> } }[EduType];

export function isKnownEduType(type: string): type is EduType {
  return Object.hasOwn(EDU_CONTENTS, type);
}

/** The content of an EDU of a type we understand, parsed by its schema; the zod error when it does not fit. */
export function parseEduContent(
  type: EduType,
  content: unknown,
): { success: true; edu: ParsedEdu } | { success: false; error: z.ZodError } {
  const parsed = EDU_CONTENTS[type].safeParse(content);
  return parsed.success
    ? { success: true, edu: { type, content: parsed.data } as ParsedEdu }
    : { success: false, error: parsed.error };
}
