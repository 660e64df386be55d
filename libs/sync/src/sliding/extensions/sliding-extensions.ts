import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ExtensionsConfig } from '../sliding-request';
import { AccountDataExtension } from './account-data.extension';
import { E2eeExtension } from './e2ee.extension';
import type { ExtensionContext, ExtensionResult } from './extension-context';
import { ReceiptsExtension } from './receipts.extension';
import { ToDeviceExtension } from './to-device.extension';
import { TypingExtension } from './typing.extension';

/** The `extensions` of a response: each enabled one, under its key. */
@Injectable()
export class SlidingExtensions {
  constructor(
    private readonly toDevice: ToDeviceExtension,
    private readonly e2ee: E2eeExtension,
    private readonly accountData: AccountDataExtension,
    private readonly receipts: ReceiptsExtension,
    private readonly typing: TypingExtension,
  ) {}

  async build(context: ExtensionContext, config: ExtensionsConfig, em: EntityManager): Promise<ExtensionResult> {
    const body: Record<string, unknown> = {};
    let moved = false;
    const add = (key: string, result: ExtensionResult) => {
      body[key] = result.body;
      moved ||= result.moved;
    };
    if (config.toDevice?.enabled) add('to_device', await this.toDevice.build(context, config.toDevice.since, em));
    if (config.e2ee?.enabled) add('e2ee', await this.e2ee.build(context, em));
    if (config.accountData?.enabled) add('account_data', await this.accountData.build(context, config.accountData, em));
    if (config.receipts?.enabled) add('receipts', await this.receipts.build(context, config.receipts, em));
    if (config.typing?.enabled) add('typing', this.typing.build(context, config.typing));
    return { body, moved };
  }
}
