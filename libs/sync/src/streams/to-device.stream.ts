import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ToDeviceService } from '@hearth/e2ee';
import type { JsonObject } from '@hearth/protocol';
import type { StreamContribution, SyncPass, SyncStream } from './sync-stream';

/** `to_device`: messages for this device; a large backlog comes in batches, the token saying how far this one went. */
@Injectable()
export class ToDeviceStream implements SyncStream {
  constructor(private readonly toDevice: ToDeviceService) {}

  async contribute(pass: SyncPass, response: JsonObject, em: EntityManager): Promise<StreamContribution> {
    const { events, position } = await this.toDevice.forSync(
      pass.userId,
      pass.deviceId,
      pass.since?.toDevice ?? null,
      pass.upTo.toDevice,
      em,
    );
    pass.upTo = { ...pass.upTo, toDevice: position };
    response.to_device = { events: events as unknown as JsonObject[] };
    return { moved: events.length > 0 };
  }
}
