import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { KeysService, type DeviceChange } from '@hearth/e2ee';
import { edu, type JsonObject } from '@hearth/protocol';
import { FederatedRoomsService } from '@hearth/rooms';
import { ChangeBus } from '@hearth/storage';
import { FederationSender } from '../sending/federation-sender';

/**
 * Device-list changes across servers: `m.device_list_update` (and `m.signing_key_update`) to every
 * server that shares a room with a user whose devices or cross-signing keys changed. Key queries,
 * claims and to-device messages for other servers' users are RemoteE2eeClient's.
 */
@Injectable()
export class E2eeFederationService implements OnModuleInit {
  /** The last stream ID each local user's updates carried, as the next update's `prev_id`. */
  private readonly lastSent = new Map<string, number>();

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly sender: FederationSender,
    private readonly bus: ChangeBus,
    private readonly keys: KeysService,
    private readonly rooms: FederatedRoomsService,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(['deviceLists'], 'E2eeFederationService (m.device_list_update)', ({ userId, devices }) => {
      if (!userId.endsWith(`:${this.config.serverName}`)) return;
      return devices.length > 0 ? this.announce(userId, devices) : this.announceSigningKeys(userId);
    });
  }

  /** Spec SS API `m.signing_key_update`: a change without a device change is a change of cross-signing keys or signatures. */
  private async announceSigningKeys(userId: string): Promise<void> {
    const servers = (await this.rooms.serversSharingRoomsWith(userId)).filter(
      (server) => server !== this.config.serverName,
    );
    if (servers.length === 0) return;
    const keys = await this.keys.queryForServers({ [userId]: [] });
    const master = keys.master_keys[userId];
    const selfSigning = keys.self_signing_keys[userId];
    if (!master && !selfSigning) return;
    await this.sender.sendEdus(servers, [
      edu('m.signing_key_update', {
        user_id: userId,
        ...(master ? { master_key: master } : {}),
        ...(selfSigning ? { self_signing_key: selfSigning } : {}),
      }),
    ]);
  }

  /** Spec SS API "Device Management": one `m.device_list_update` per changed device, chained by `prev_id`. */
  private async announce(userId: string, changes: readonly DeviceChange[]): Promise<void> {
    const servers = (await this.rooms.serversSharingRoomsWith(userId)).filter(
      (server) => server !== this.config.serverName,
    );
    if (servers.length === 0) return;
    const current = (await this.keys.queryForServers({ [userId]: [] })).device_keys[userId] ?? {};
    const edus: JsonObject[] = [];
    for (const change of changes) {
      const streamId = change.streamId ?? 0;
      const previous = this.lastSent.get(userId);
      this.lastSent.set(userId, streamId);
      const keys = current[change.deviceId];
      edus.push(
        edu('m.device_list_update', {
          user_id: userId,
          device_id: change.deviceId,
          stream_id: streamId,
          prev_id: previous === undefined ? [] : [previous],
          ...(change.deleted ? { deleted: true } : {}),
          ...(keys && !change.deleted ? { keys: keys as JsonObject } : {}),
        }),
      );
    }
    await this.sender.sendEdus(servers, edus);
  }
}
