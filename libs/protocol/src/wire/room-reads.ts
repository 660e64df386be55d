import { z } from 'zod';

/**
 * Spec SS API "Transactions", "Retrieving events", "Backfilling and retrieving missing events":
 * PDUs travel as unknown values here, each checked by the PDU verifier on its own, so that one
 * bad PDU costs only itself.
 */

/** `PUT /send/{txnId}` as its receiver takes it: at most 50 PDUs and 100 EDUs. */
export const SendTransactionBody = z.object({
  origin: z.string(),
  origin_server_ts: z.number().int(),
  pdus: z.array(z.unknown()).max(50),
  edus: z.array(z.unknown()).max(100).default([]),
});

/** `GET /event/{eventId}` and `GET /backfill/{roomId}`: a transaction of PDUs; only the PDUs are needed. */
export const PduTransactionAnswer = z.looseObject({
  origin: z.string().optional(),
  origin_server_ts: z.number().optional(),
  pdus: z.array(z.unknown()),
});

/** `GET /state/{roomId}` */
export const StateAnswer = z.looseObject({ pdus: z.array(z.unknown()), auth_chain: z.array(z.unknown()) });

/** `GET /state_ids/{roomId}` */
export const StateIdsAnswer = z.looseObject({ pdu_ids: z.array(z.string()), auth_chain_ids: z.array(z.string()) });

/** `POST /get_missing_events/{roomId}`: what the asking server sends. */
export const MissingEventsRequest = z.object({
  earliest_events: z.array(z.string()).max(100).default([]),
  latest_events: z.array(z.string()).min(1).max(100),
  limit: z.number().int().min(1).default(10),
  min_depth: z.number().int().min(0).default(0),
});

/** `POST /get_missing_events/{roomId}` */
export const MissingEventsAnswer = z.looseObject({ events: z.array(z.unknown()) });
