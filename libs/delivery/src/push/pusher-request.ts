import { MatrixError } from '@hearth/http';
import type { PushConfig } from '@hearth/config';
import { gatewayUrlProblem } from './gateway-address';
import type { PusherSettings } from './pusher.repository';

/** Spec limits: pushkey 512 bytes, app_id 64 characters. */
const MAX_PUSHKEY_BYTES = 512;
const MAX_APP_ID_CHARS = 64;
/** Names and tags are for people to read; the language is a tag like en-US. */
const MAX_NAME_CHARS = 256;
const MAX_LANG_CHARS = 64;
/** `data` goes with every notification to the gateway: a few keys, not a payload store. */
export const MAX_DATA_BYTES = 4096;

/** What `POST /pushers/set` asks: a pusher to set, or one to delete (`kind: null`). */
export type PusherRequest =
  | { readonly action: 'delete'; readonly appId: string; readonly pushkey: string }
  | { readonly action: 'set'; readonly settings: PusherSettings; readonly append: boolean };

/**
 * Spec CS API `POST /pushers/set`, checked field by field: missing ones are M_MISSING_PARAM (all
 * named at once, as the spec's example), wrong ones M_INVALID_PARAM. Only `http` pushers exist
 * here (accounts have no e-mail address).
 */
export function parsePusherRequest(body: unknown, config: PushConfig): PusherRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw MatrixError.notJson('Body must be a JSON object');
  const fields = body as Record<string, unknown>;
  requireFields(fields, ['kind', 'app_id', 'pushkey']);
  const appId = text(fields, 'app_id', MAX_APP_ID_CHARS);
  const pushkey = text(fields, 'pushkey');
  if (Buffer.byteLength(pushkey) > MAX_PUSHKEY_BYTES)
    throw MatrixError.invalidParam(`pushkey is longer than ${MAX_PUSHKEY_BYTES} bytes`);
  if (fields.kind === null) return { action: 'delete', appId, pushkey };
  if (fields.kind !== 'http') throw MatrixError.invalidParam('kind must be "http" (or null to delete)');
  requireFields(fields, ['app_display_name', 'device_display_name', 'lang', 'data']);
  const data = fields.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw MatrixError.invalidParam('data must be an object');
  const dataFields = data as Record<string, unknown>;
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_DATA_BYTES)
    throw MatrixError.invalidParam(`data is larger than ${MAX_DATA_BYTES} bytes`);
  if (typeof dataFields.url !== 'string') throw MatrixError.missingParam('data.url is required for http pushers');
  const problem = gatewayUrlProblem(dataFields.url, config);
  if (problem !== undefined) throw MatrixError.invalidParam(problem);
  if (dataFields.format !== undefined && typeof dataFields.format !== 'string')
    throw MatrixError.invalidParam('data.format must be a string');
  if (fields.append !== undefined && typeof fields.append !== 'boolean')
    throw MatrixError.invalidParam('append must be a boolean');
  return {
    action: 'set',
    append: fields.append === true,
    settings: {
      appId,
      pushkey,
      kind: 'http',
      appDisplayName: text(fields, 'app_display_name', MAX_NAME_CHARS),
      deviceDisplayName: text(fields, 'device_display_name', MAX_NAME_CHARS),
      profileTag:
        fields.profile_tag === undefined || fields.profile_tag === null
          ? null
          : text(fields, 'profile_tag', MAX_NAME_CHARS),
      lang: text(fields, 'lang', MAX_LANG_CHARS),
      data: dataFields,
    },
  };
}

function requireFields(fields: Record<string, unknown>, names: readonly string[]): void {
  const missing = names.filter((name) => !(name in fields) || fields[name] === undefined);
  if (missing.length > 0) throw MatrixError.missingParam(`Missing parameters: ${missing.join(', ')}`);
}

function text(fields: Record<string, unknown>, name: string, maxChars?: number): string {
  const value = fields[name];
  if (typeof value !== 'string' || value === '') throw MatrixError.invalidParam(`${name} must be a non-empty string`);
  if (maxChars !== undefined && [...value].length > maxChars)
    throw MatrixError.invalidParam(`${name} is longer than ${maxChars} characters`);
  return value;
}
