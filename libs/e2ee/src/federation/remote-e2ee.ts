import { Logger } from '@nestjs/common';
import type { JsonObject } from '@hearth/protocol';

/** Port: what end-to-end encryption needs of other servers (federation serves it), so this lib needs no network. Bound in the app module. */
export const REMOTE_E2EE = Symbol('REMOTE_E2EE');

export interface RemoteE2ee {
  /** Spec SS API `POST /user/keys/query`: the answer's body. */
  queryKeys(server: string, deviceKeys: Record<string, string[]>, timeoutMs: number): Promise<JsonObject>;
  /** Spec SS API `POST /user/keys/claim`: the answer's body. */
  claimKeys(
    server: string,
    oneTimeKeys: Record<string, Record<string, string>>,
    timeoutMs: number,
  ): Promise<JsonObject>;
  /** An `m.direct_to_device` EDU for the server, recorded durably before this resolves. */
  sendToDevice(server: string, content: JsonObject): Promise<void>;
}

const noFederationLogger = new Logger('NoFederation');

/**
 * For a composition without federation: other servers' users appear in key queries' and claims'
 * `failures`, and to-device messages for them are dropped with a warning.
 */
export const NO_FEDERATION_E2EE: RemoteE2ee = {
  queryKeys: () => Promise.reject(new Error('Federation is not available')),
  claimKeys: () => Promise.reject(new Error('Federation is not available')),
  sendToDevice: (server) => {
    noFederationLogger.warn(`Dropped to-device messages for users on ${server}: federation is not available`);
    return Promise.resolve();
  },
};
