import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MatrixError } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';
import { ToDeviceStream } from '../../streams/to-device.stream';
import { passFor, type ExtensionContext, type ExtensionResult } from './extension-context';

/**
 * `to_device` (MSC3885): messages for this device after the extension's own `since`, which
 * acknowledges (deletes) everything up to it; `next_batch` is the next `since`.
 */
@Injectable()
export class ToDeviceExtension {
  constructor(private readonly stream: ToDeviceStream) {}

  async build(context: ExtensionContext, since: string | undefined, em: EntityManager): Promise<ExtensionResult> {
    if (since !== undefined && !/^\d{1,16}$/.test(since)) throw MatrixError.invalidParam('Invalid to_device since');
    const pass = passFor(context, since === undefined ? null : { ...context.upTo, toDevice: Number(since) });
    const scratch: JsonObject = {};
    const { moved } = await this.stream.contribute(pass, scratch, em);
    const events = (scratch.to_device as { events: JsonObject[] }).events;
    return { body: { next_batch: String(pass.upTo.toDevice), events }, moved };
  }
}
