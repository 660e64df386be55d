import { Injectable } from '@nestjs/common';
import type { RemoteE2ee } from '@hearth/e2ee';
import { FederationClient } from '@hearth/federation-client';
import { isJsonObject, type JsonObject } from '@hearth/protocol';
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
  queryKeys(server: string, deviceKeys: Record<string, string[]>, timeoutMs: number): Promise<JsonObject> {
    return this.post(server, '/_matrix/federation/v1/user/keys/query', { device_keys: deviceKeys }, timeoutMs);
  }

  /** Spec SS API `POST /user/keys/claim`. */
  claimKeys(
    server: string,
    oneTimeKeys: Record<string, Record<string, string>>,
    timeoutMs: number,
  ): Promise<JsonObject> {
    return this.post(server, '/_matrix/federation/v1/user/keys/claim', { one_time_keys: oneTimeKeys }, timeoutMs);
  }

  sendToDevice(server: string, content: JsonObject): Promise<void> {
    return this.sender.sendEdus([server], [{ edu_type: 'm.direct_to_device', content }]);
  }

  private async post(server: string, path: string, body: JsonObject, timeoutMs: number): Promise<JsonObject> {
    const answer = await this.client.request(server, { method: 'POST', path, body, timeoutMs });
    if (!isJsonObject(answer)) throw new Error(`${server} answered without a JSON object`);
    return answer;
  }
}
