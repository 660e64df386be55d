import { z } from 'zod';

/**
 * Spec SS API "Retrieving server keys". Parsing says only that the document has the shape of
 * one; whether it is signed by its keys is checked on the document as received.
 */
export const ServerKeyDocument = z.looseObject({
  server_name: z.string(),
  valid_until_ts: z.number(),
  verify_keys: z.record(z.string(), z.looseObject({ key: z.string() })),
  /** Entries are parsed one by one (OldVerifyKey): a malformed old key costs only itself. */
  old_verify_keys: z.record(z.string(), z.unknown()).optional(),
});

export const OldVerifyKey = z.looseObject({ key: z.string(), expired_ts: z.number() });

/** `POST /_matrix/key/v2/query` (a notary): documents, each checked on its own. */
export const NotaryKeysAnswer = z.looseObject({ server_keys: z.array(z.unknown()) });
