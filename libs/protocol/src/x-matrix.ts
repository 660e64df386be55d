import type { JsonObject, JsonValue } from './json';
import { signJson } from './signing';
import type { SigningKey } from './signing-key';

/** What a federation request's signature covers (spec SS API "Request Authentication"). */
export interface FederationRequest {
  readonly method: string;
  /** Path and query string exactly as sent, starting with `/_matrix/`. */
  readonly uri: string;
  readonly origin: string;
  readonly destination: string;
  /** The JSON body, when there is one. */
  readonly content?: JsonValue;
}

export interface XMatrixAuthorization {
  readonly origin: string;
  /** Absent in headers from older servers; then the request is taken as meant for us. */
  readonly destination?: string;
  readonly key: string;
  readonly sig: string;
}

/** The JSON object whose signature goes into the Authorization header. */
export function requestSigningObject(request: FederationRequest): JsonObject {
  return {
    method: request.method.toUpperCase(),
    uri: request.uri,
    origin: request.origin,
    destination: request.destination,
    ...(request.content !== undefined ? { content: request.content } : {}),
  };
}

/** `X-Matrix origin="…",destination="…",key="…",sig="…"` for an outbound request. */
export function signFederationRequest(request: FederationRequest, key: SigningKey): string {
  const signed = signJson(requestSigningObject(request), request.origin, key);
  const signatures = signed.signatures as Record<string, Record<string, string>>;
  const sig = signatures[request.origin]?.[key.keyId] as string;
  const params = { origin: request.origin, destination: request.destination, key: key.keyId, sig };
  return `X-Matrix ${Object.entries(params)
    .map(([name, value]) => `${name}=${quote(value)}`)
    .join(',')}`;
}

/**
 * Reads an `X-Matrix` credential (RFC 9110 auth-params: `name=token` or `name="quoted"`, names
 * case-insensitive). Undefined for any other scheme, a malformed list or a missing parameter.
 */
export function parseXMatrixAuthorization(header: string): XMatrixAuthorization | undefined {
  const match = /^X-Matrix\s+(.*)$/is.exec(header.trim());
  if (!match) return undefined;
  const params = parseAuthParams(match[1] as string);
  if (!params) return undefined;
  const { origin, destination, key, sig } = params;
  if (!origin || !key || !sig) return undefined;
  return { origin, key, sig, ...(destination ? { destination } : {}) };
}

/** The signed object as the origin signed it, ready for `verifyJsonSignature`. */
export function signedRequestObject(request: FederationRequest, authorization: XMatrixAuthorization): JsonObject {
  return {
    ...requestSigningObject(request),
    signatures: { [authorization.origin]: { [authorization.key]: authorization.sig } },
  };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

function parseAuthParams(text: string): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  let rest = text.trim();
  while (rest.length > 0) {
    const name = TOKEN.exec(rest)?.[0];
    if (!name) return undefined;
    rest = rest.slice(name.length).trimStart();
    if (!rest.startsWith('=')) return undefined;
    rest = rest.slice(1).trimStart();
    let value: string;
    if (rest.startsWith('"')) {
      const quoted = readQuoted(rest);
      if (!quoted) return undefined;
      [value, rest] = quoted;
    } else {
      // Tokens cannot hold base64's "/" and "+" in strict RFC terms, but servers send them bare.
      const bare = /^[^,\s]+/.exec(rest)?.[0];
      if (!bare) return undefined;
      value = bare;
      rest = rest.slice(bare.length);
    }
    params[name.toLowerCase()] = value;
    rest = rest.trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (rest.length > 0) return undefined;
  }
  return params;
}

function readQuoted(text: string): [string, string] | undefined {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\\') {
      i++;
      if (i >= text.length) return undefined;
      value += text[i];
    } else if (char === '"') {
      return [value, text.slice(i + 1)];
    } else {
      value += char;
    }
  }
  return undefined;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}
