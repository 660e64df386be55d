import { Body, Controller, Param, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { ToDeviceService } from '@hearth/e2ee';
import { BodyLimit, BULK_BODY_BYTES } from '@hearth/http';

@Controller('_matrix/client/v3/sendToDevice')
@UseGuards(AccessTokenGuard)
export class SendToDeviceController {
  constructor(private readonly toDevice: ToDeviceService) {}

  /** PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId} */
  // Grows with the recipients' devices (a room key for everyone in a large room).
  @Put(':eventType/:txnId')
  @BodyLimit(BULK_BODY_BYTES)
  async send(
    @Requester() who: Requester,
    @Param('eventType') type: string,
    @Param('txnId') txnId: string,
    @Body() body: unknown,
  ) {
    await this.toDevice.send({ userId: who.userId, deviceId: who.deviceId }, type, txnId, body);
    return {};
  }
}
