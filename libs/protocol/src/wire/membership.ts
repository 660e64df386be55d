import { z } from 'zod';
import type { JsonObject } from '../json';
import { JsonObjectSchema, ObjectsIn } from './json-object';

/**
 * Spec SS API "Joining Rooms", "Knocking", "Inviting", "Leaving": what the server that is asked
 * answers, parsed by the asking side (libs/federation's joining) and typing what our controllers
 * answer (apps/homeserver/src/federation). Events inside are checked by the PDU verifier.
 */

/**
 * `make_join`, `make_leave`, `make_knock`. The spec's make_join says a server that leaves out
 * `room_version` means version 1, which servers from before room versions did.
 */
export const MembershipTemplateAnswer = z.looseObject({
  room_version: z.string().optional(),
  event: z
    .looseObject({ content: JsonObjectSchema.optional().catch(undefined) })
    // The joining server signs the template as it came; only `content`, which it adds to, is read.
    .transform((event) => event as JsonObject & { content?: JsonObject }),
});

/** `PUT /v2/send_join`. `event` only for a restricted join the resident server signed. */
export const SendJoinAnswer = z.looseObject({
  origin: z.string().optional(),
  state: z.array(z.unknown()),
  auth_chain: z.array(z.unknown()),
  event: JsonObjectSchema.optional(),
  members_omitted: z.boolean().optional(),
  servers_in_room: z.array(z.string()).optional(),
});

/**
 * `PUT /v1/send_knock`. Synapse releases from before the spec settled on `knock_room_state` name
 * it `knock_state_events` (and current ones send both); either is read, items that are not
 * objects are left out.
 */
export const SendKnockAnswer = z
  .looseObject({ knock_room_state: ObjectsIn.optional(), knock_state_events: ObjectsIn.optional() })
  .transform((answer) => ({ knock_room_state: answer.knock_room_state ?? answer.knock_state_events ?? [] }));

/** `PUT /v2/send_leave` answers an empty object. */
export const SendLeaveAnswer = z.looseObject({});

/** `PUT /v2/invite`: what the inviting server sends. At most 50 stripped state events are kept. */
export const InviteRequest = z.object({
  room_version: z.string(),
  event: JsonObjectSchema,
  invite_room_state: z.array(z.unknown()).max(50).default([]).pipe(ObjectsIn),
});

/** `PUT /v2/invite`: the invite back, countersigned by the invitee's server. */
export const InviteAnswer = z.looseObject({ event: JsonObjectSchema });
