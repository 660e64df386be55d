import { z } from 'zod';

/**
 * Spec SS API "End-to-End Encryption" and "Device Management". Keys inside are checked by e2ee
 * (signatures, whose user and device they name), one by one.
 */

/** `POST /user/keys/query`: what the asking server sends. */
export const UserKeysQueryRequest = z.object({ device_keys: z.record(z.string(), z.array(z.string())) });

/** `POST /user/keys/query` */
export const UserKeysQueryAnswer = z.looseObject({
  device_keys: z.record(z.string(), z.unknown()).default({}),
  master_keys: z.record(z.string(), z.unknown()).optional(),
  self_signing_keys: z.record(z.string(), z.unknown()).optional(),
});

/** `POST /user/keys/claim`: what the asking server sends. */
export const UserKeysClaimRequest = z.object({
  one_time_keys: z.record(z.string(), z.record(z.string(), z.string())),
});

/** `POST /user/keys/claim`: user ID → device ID → key ID → key. */
export const UserKeysClaimAnswer = z.looseObject({
  one_time_keys: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))).default({}),
});

/** `GET /user/devices/{userId}` */
export const UserDevicesAnswer = z.looseObject({
  user_id: z.string(),
  stream_id: z.number().int(),
  devices: z.array(
    z.looseObject({
      device_id: z.string(),
      keys: z.record(z.string(), z.unknown()).optional(),
      device_display_name: z.string().optional(),
    }),
  ),
  master_key: z.record(z.string(), z.unknown()).optional(),
  self_signing_key: z.record(z.string(), z.unknown()).optional(),
});
