import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { DeviceListsStream } from '../../streams/device-lists.stream';
import { KeyCountsStream } from '../../streams/key-counts.stream';
import { passFor, type ExtensionContext, type ExtensionResult } from './extension-context';

/** `e2ee` (MSC3884): device-list changes since the connection's last position, and this device's key counts. */
@Injectable()
export class E2eeExtension {
  constructor(
    private readonly keyCounts: KeyCountsStream,
    private readonly deviceLists: DeviceListsStream,
  ) {}

  async build(context: ExtensionContext, em: EntityManager): Promise<ExtensionResult> {
    const pass = passFor(context, context.since);
    const scratch: JsonObject = {};
    await this.keyCounts.contribute(pass, scratch, em);
    const { moved } = await this.deviceLists.contribute(pass, scratch, em);
    return {
      body: {
        device_lists: scratch.device_lists,
        device_one_time_keys_count: scratch.device_one_time_keys_count,
        device_unused_fallback_key_types: scratch.device_unused_fallback_key_types,
      },
      moved,
    };
  }
}
