import { Logger } from '@nestjs/common';
import type { z } from 'zod';
import type { EduContent, UserKeysClaimAnswer, UserKeysQueryAnswer } from '@hearth/protocol';

/** Port: what end-to-end encryption needs of other servers (federation serves it), so this lib needs no network. Bound in the app module. */
export const REMOTE_E2EE = Symbol('REMOTE_E2EE');

export interface RemoteE2ee {
  /** Spec SS API `POST /user/keys/query`: the answer, parsed by its wire schema (the keys inside are e2ee's to check). */
  queryKeys(
    server: string,
    deviceKeys: Record<string, string[]>,
    timeoutMs: number,
  ): Promise<z.output<typeof UserKeysQueryAnswer>>;
  /** Spec SS API `POST /user/keys/claim`: the answer, parsed by its wire schema. */
  claimKeys(
    server: string,
    oneTimeKeys: Record<string, Record<string, string>>,
    timeoutMs: number,
  ): Promise<z.output<typeof UserKeysClaimAnswer>>;
  /** An `m.direct_to_device` EDU for the server, recorded durably before this resolves. */
  sendToDevice(server: string, content: EduContent<'m.direct_to_device'>): Promise<void>;
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
