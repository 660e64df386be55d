import { publicKeyBase64, signJson, type JsonObject, type SigningKey } from '@hearth/protocol';

export interface ServerKeyDocumentInput {
  readonly serverName: string;
  readonly key: SigningKey;
  readonly validUntilTs: number;
}

/** Spec SS API "Publishing Keys": GET /_matrix/key/v2/server, signed by the key it lists. */
export function buildServerKeyDocument({ serverName, key, validUntilTs }: ServerKeyDocumentInput): JsonObject {
  const document: JsonObject = {
    server_name: serverName,
    valid_until_ts: validUntilTs,
    verify_keys: { [key.keyId]: { key: publicKeyBase64(key) } },
    old_verify_keys: {},
  };
  return signJson(document, serverName, key);
}
