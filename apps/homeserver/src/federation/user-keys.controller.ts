import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { DevicesService } from '@hearth/accounts';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { DeviceListsService, KeysService } from '@hearth/e2ee';
import { FederationAuthGuard } from '@hearth/federation-client';
import { MatrixError, ZodBodyPipe } from '@hearth/http';
import {
  isValidUserId,
  parseUserId,
  UserKeysClaimRequest,
  UserKeysQueryRequest,
  type UserDevicesAnswer,
} from '@hearth/protocol';
import { ServerSigner } from '@hearth/signing';

/** Spec SS API "End-to-End Encryption" and "Device Management": our users' devices and keys, for other servers. */
@Controller('_matrix/federation/v1/user')
@UseGuards(FederationAuthGuard)
export class FederationUserKeysController {
  constructor(
    private readonly keys: KeysService,
    private readonly devices: DevicesService,
    private readonly deviceLists: DeviceListsService,
    private readonly signer: ServerSigner,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  /** POST /_matrix/federation/v1/user/keys/query */
  @Post('keys/query')
  @HttpCode(200)
  query(@Body(new ZodBodyPipe(UserKeysQueryRequest)) body: z.output<typeof UserKeysQueryRequest>) {
    return this.keys.queryForServers(body.device_keys);
  }

  /** POST /_matrix/federation/v1/user/keys/claim */
  @Post('keys/claim')
  @HttpCode(200)
  claim(@Body(new ZodBodyPipe(UserKeysClaimRequest)) body: z.output<typeof UserKeysClaimRequest>) {
    return this.keys.claimLocal(body.one_time_keys);
  }

  /** GET /_matrix/federation/v1/user/devices/{userId} */
  @Get('devices/:userId')
  async devicesOf(@Param('userId') userId: string): Promise<z.input<typeof UserDevicesAnswer>> {
    if (!isValidUserId(userId) || parseUserId(userId).serverName !== this.signer.serverName)
      throw MatrixError.invalidParam('The user is not on this server');
    const [list, keys, streamId] = await Promise.all([
      this.devices.list(userId),
      this.keys.queryForServers({ [userId]: [] }),
      this.deviceLists.positionOf(userId),
    ]);
    const keysOf = keys.device_keys[userId] ?? {};
    return {
      user_id: userId,
      stream_id: streamId,
      devices: list.map((device) => ({
        device_id: device.deviceId,
        ...(keysOf[device.deviceId] ? { keys: keysOf[device.deviceId] } : {}),
        ...(device.displayName && this.config.privacy.deviceNamesOverFederation
          ? { device_display_name: device.displayName }
          : {}),
      })),
    };
  }
}
