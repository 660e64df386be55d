import { Injectable } from '@nestjs/common';
import type { JsonObject } from '@hearth/protocol';

/** What end-to-end encryption needs of other servers; federation plugs itself in here, so this lib needs no network. */
export interface RemoteE2ee {
  /** Spec SS API `POST /user/keys/query`: the answer's body. */
  queryKeys(server: string, deviceKeys: Record<string, string[]>, timeoutMs: number): Promise<JsonObject>;
  /** Spec SS API `POST /user/keys/claim`: the answer's body. */
  claimKeys(server: string, oneTimeKeys: Record<string, Record<string, string>>, timeoutMs: number): Promise<JsonObject>;
  /** An `m.direct_to_device` EDU for the server, recorded durably before this resolves. */
  sendToDevice(server: string, content: JsonObject): Promise<void>;
}

@Injectable()
export class RemoteE2eeGateway {
  private remote: RemoteE2ee | undefined;

  register(remote: RemoteE2ee): void {
    this.remote = remote;
  }

  /** Undefined without federation: remote users then appear in `failures`. */
  get current(): RemoteE2ee | undefined {
    return this.remote;
  }
}
