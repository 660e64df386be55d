import * as ipaddr from 'ipaddr.js';
import type { PushConfig } from '@hearth/config';
import { isPublicAddress } from '@hearth/http';

/** Spec CS API `POST /pushers/set`: `data.url` must have this path. */
export const NOTIFY_PATH = '/_matrix/push/v1/notify';

/**
 * Why a gateway URL may not be used, or undefined when it may. Spec: an HTTPS URL with the path
 * `/_matrix/push/v1/notify`. Beyond it, addresses outside the public internet (loopback, private,
 * link-local, carrier-grade NAT, multicast, reserved) are refused, so that a user cannot make the
 * server call into its own network; a host name is checked again on every connection
 * (`isPublicAddress`), as its DNS answer may change.
 */
export function gatewayUrlProblem(url: string, config: PushConfig): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'data.url is not a URL';
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && config.allowHttpGateways))
    return 'data.url must be an https URL';
  if (parsed.username || parsed.password) return 'data.url must not carry credentials';
  if (parsed.pathname !== NOTIFY_PATH) return `data.url must have the path ${NOTIFY_PATH}`;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!config.allowPrivateGateways && (isLocalName(host) || (ipaddr.isValid(host) && !isPublicAddress(host))))
    return 'data.url points into a private network';
  return undefined;
}

function isLocalName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}
