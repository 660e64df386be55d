import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { DeviceListsService, KeysService, RemoteE2eeGateway, type DeviceChange } from '@hearth/e2ee';
import { isJsonObject, type JsonObject } from '@hearth/protocol';
import { FederationClient } from '@hearth/federation-client';
import { FederatedRoomsService } from '@hearth/rooms';
import { FederationSender } from '../sending/federation-sender';

/**
 * End-to-end encryption across servers: key queries and claims for other servers' users,
 * to-device messages as `m.direct_to_device`, and `m.device_list_update` to every server that
 * shares a room with a user whose devices changed.
 */
@Injectable()
export class E2eeFederationService implements OnModuleInit {
  private readonly logger = new Logger(E2eeFederationService.name);
  /** The last stream ID each local user's updates carried, as the next update's `prev_id`. */
  private readonly lastSent = new Map<string, number>();

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly gateway: RemoteE2eeGateway,
    private readonly client: FederationClient,
    private readonly sender: FederationSender,
    private readonly deviceLists: DeviceListsService,
    private readonly keys: KeysService,
    private readonly rooms: FederatedRoomsService,
  ) {}

  onModuleInit(): void {
    this.gateway.register({
      queryKeys: (server, deviceKeys, timeoutMs) => this.post(server, '/_matrix/federation/v1/user/keys/query', { device_keys: deviceKeys }, timeoutMs),
      claimKeys: (server, oneTimeKeys, timeoutMs) => this.post(server, '/_matrix/federation/v1/user/keys/claim', { one_time_keys: oneTimeKeys }, timeoutMs),
      sendToDevice: (server, content) => this.sender.sendEdus([server], [{ edu_type: 'm.direct_to_device', content }]),
    });
    this.deviceLists.onChange((userId, changes) => {
      if (!userId.endsWith(`:${this.config.serverName}`)) return;
      const announced = changes.length > 0 ? this.announce(userId, changes) : this.announceSigningKeys(userId);
      announced.catch((error: unknown) => this.logger.warn(`Could not announce a device-list change: ${String(error)}`));
    });
  }

  private async post(server: string, path: string, body: JsonObject, timeoutMs: number): Promise<JsonObject> {
    const answer = await this.client.request(server, { method: 'POST', path, body, timeoutMs });
    if (!isJsonObject(answer)) throw new Error(`${server} answered without a JSON object`);
    return answer;
  }

  /** Spec SS API `m.signing_key_update`: a change without a device change is a change of cross-signing keys or signatures. */
  private async announceSigningKeys(userId: string): Promise<void> {
    const servers = (await this.rooms.serversSharingRoomsWith(userId)).filter((server) => server !== this.config.serverName);
    if (servers.length === 0) return;
    const keys = await this.keys.queryLocal({ [userId]: [] });
    const master = keys.master_keys[userId];
    const selfSigning = keys.self_signing_keys[userId];
    if (!master && !selfSigning) return;
    await this.sender.sendEdus(servers, [{ edu_type: 'm.signing_key_update', content: { user_id: userId, ...(master ? { master_key: master } : {}), ...(selfSigning ? { self_signing_key: selfSigning } : {}) } }]);
  }

  /** Spec SS API "Device Management": one `m.device_list_update` per changed device, chained by `prev_id`. */
  private async announce(userId: string, changes: readonly DeviceChange[]): Promise<void> {
    const servers = (await this.rooms.serversSharingRoomsWith(userId)).filter((server) => server !== this.config.serverName);
    if (servers.length === 0) return;
    const current = (await this.keys.queryLocal({ [userId]: [] })).device_keys[userId] ?? {};
    const edus: JsonObject[] = [];
    for (const change of changes) {
      const streamId = change.streamId ?? 0;
      const previous = this.lastSent.get(userId);
      this.lastSent.set(userId, streamId);
      const keys = current[change.deviceId];
      edus.push({
        edu_type: 'm.device_list_update',
        content: {
          user_id: userId,
          device_id: change.deviceId,
          stream_id: streamId,
          prev_id: previous === undefined ? [] : [previous],
          ...(change.deleted ? { deleted: true } : {}),
          ...(keys && !change.deleted ? { keys: keys as JsonObject } : {}),
        },
      });
    }
    await this.sender.sendEdus(servers, edus);
  }
}
