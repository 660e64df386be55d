import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AccessTokenGuard,
  DevicesService,
  Requester,
  toDeviceResponse,
  UIA_STAGES,
  UiaService,
} from '@hearth/accounts';
import { MatrixError, ZodBodyPipe } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';

const RenameBody = z.object({ display_name: z.string().max(255).nullable().optional() });
const DeleteBody = z.object({ auth: z.unknown().optional() }).optional();
const DeleteManyBody = z.object({ devices: z.array(z.string().max(255)).max(1000), auth: z.unknown().optional() });

/** Deleting devices needs the account's password again (spec: UIA). */
const PASSWORD_FLOWS = [[UIA_STAGES.password]];

@Controller('_matrix/client/v3')
@UseGuards(AccessTokenGuard)
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly uia: UiaService,
    private readonly tx: TransactionRunner,
  ) {}

  /** GET /_matrix/client/v3/devices */
  @Get('devices')
  async list(@Requester() who: Requester) {
    return { devices: (await this.devices.list(who.userId)).map(toDeviceResponse) };
  }

  /** GET /_matrix/client/v3/devices/{deviceId} */
  @Get('devices/:deviceId')
  async get(@Requester() who: Requester, @Param('deviceId') deviceId: string) {
    const device = await this.devices.find(who.userId, deviceId);
    if (!device) throw MatrixError.notFound('Device not found');
    return toDeviceResponse(device);
  }

  /** PUT /_matrix/client/v3/devices/{deviceId} */
  @Put('devices/:deviceId')
  async rename(
    @Requester() who: Requester,
    @Param('deviceId') deviceId: string,
    @Body(new ZodBodyPipe(RenameBody)) body: z.output<typeof RenameBody>,
  ) {
    if (body.display_name === undefined) return {};
    if (!(await this.devices.rename(who.userId, deviceId, body.display_name)))
      throw MatrixError.notFound('Device not found');
    return {};
  }

  /** DELETE /_matrix/client/v3/devices/{deviceId} */
  @Delete('devices/:deviceId')
  async delete(@Req() request: FastifyRequest, @Requester() who: Requester, @Param('deviceId') deviceId: string) {
    const body = DeleteBody.safeParse(request.body);
    if (!body.success) throw MatrixError.badJson('auth must be an object');
    if (!(await this.devices.find(who.userId, deviceId))) throw MatrixError.notFound('Device not found');
    await this.deleteWithUia(request, who, [deviceId], body.data?.auth);
    return {};
  }

  /** POST /_matrix/client/v3/delete_devices */
  @Post('delete_devices')
  @HttpCode(200)
  async deleteMany(
    @Req() request: FastifyRequest,
    @Requester() who: Requester,
    @Body(new ZodBodyPipe(DeleteManyBody)) body: z.output<typeof DeleteManyBody>,
  ) {
    await this.deleteWithUia(request, who, body.devices, body.auth);
    return {};
  }

  private async deleteWithUia(request: FastifyRequest, who: Requester, deviceIds: readonly string[], auth: unknown) {
    const success = await this.uia.authenticate(
      { method: request.method, path: request.url, auth, userId: who.userId },
      PASSWORD_FLOWS,
    );
    await this.tx.run(async (em) => {
      await this.uia.consume(success, em);
      await this.devices.delete(who.userId, deviceIds, em);
    });
  }
}
