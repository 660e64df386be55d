import { Injectable } from '@nestjs/common';
import type { RemoteE2ee } from '@hearth/e2ee';
import { FederationClient } from '@hearth/federation-client';
import type { z } from 'zod';
import {
  edu,
  UserKeysClaimAnswer,
  UserKeysQueryAnswer,
  type EduContent,
  type UserKeysClaimRequest,
  type UserKeysQueryRequest,
} from '@hearth/protocol';
import { FederationSender } from '../sending/federation-sender';

/**
 * Other servers' users for end-to-end encryption: key queries and claims, and to-device messages
 * as `m.direct_to_device`. Serves e2ee's `REMOTE_E2EE` port (bound in the app module).
 */
@Injectable()
export class RemoteE2eeClient implements RemoteE2ee {
  constructor(
    private readonly client: FederationClient,
    private readonly sender: FederationSender,
  ) {}

  /** Spec SS API `POST /user/keys/query`. */
  queryKeys(
    server: string,
    deviceKeys: Record<string, string[]>,
    timeoutMs: number,
  ): Promise<z.output<typeof UserKeysQueryAnswer>> {
    const body = { device_keys: deviceKeys } satisfies z.input<typeof UserKeysQueryRequest>;
    return this.client.request(
      server,
      { method: 'POST', path: '/_matrix/federation/v1/user/keys/query', body, timeoutMs },
      UserKeysQueryAnswer,
    );
  }

  /** Spec SS API `POST /user/keys/claim`. */
  claimKeys(
    server: string,
    oneTimeKeys: Record<string, Record<string, string>>,
    timeoutMs: number,
  ): Promise<z.output<typeof UserKeysClaimAnswer>> {
    const body = { one_time_keys: oneTimeKeys } satisfies z.input<typeof UserKeysClaimRequest>;
    return this.client.request(
      server,
      { method: 'POST', path: '/_matrix/federation/v1/user/keys/claim', body, timeoutMs },
      UserKeysClaimAnswer,
    );
  }

  sendToDevice(server: string, content: EduContent<'m.direct_to_device'>): Promise<void> {
    return this.sender.sendEdus([server], [edu('m.direct_to_device', content)]);
  }
}
