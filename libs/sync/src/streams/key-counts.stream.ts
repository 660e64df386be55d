import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { KeysService } from '@hearth/e2ee';
import type { JsonObject } from '@hearth/protocol';
import { UNMOVED, type StreamContribution, type SyncPass, type SyncStream } from './sync-stream';

/**
 * `device_one_time_keys_count` and `device_unused_fallback_key_types`: in every response, so
 * that a client tops its keys up; a count alone never wakes a waiting sync.
 */
@Injectable()
export class KeyCountsStream implements SyncStream {
  readonly onlyWhenAnswering = true;

  constructor(private readonly keys: KeysService) {}

  async contribute(pass: SyncPass, response: JsonObject, em: EntityManager): Promise<StreamContribution> {
    const counts = pass.keyCounts ?? (await this.keys.countsFor(pass.userId, pass.deviceId, em));
    response.device_one_time_keys_count = counts.oneTimeKeyCounts;
    response.device_unused_fallback_key_types = counts.unusedFallbackTypes;
    return UNMOVED;
  }
}
