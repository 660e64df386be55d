import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { parsePusherRequest } from './pusher-request';
import { PusherRepository, type Pusher } from './pusher.repository';

/** Each pusher is a gateway the server calls for the user; a handful per person is plenty. */
const MAX_PUSHERS_PER_USER = 50;

/** Spec CS API "Push notifications": `GET /pushers` and `POST /pushers/set`. */
@Injectable()
export class PushersService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly pushers: PusherRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async list(userId: string): Promise<JsonObject[]> {
    const pushers = await this.tx.read((em) => this.pushers.list(userId, em));
    return pushers.map(toPusherResponse);
  }

  /**
   * Creates, updates or (kind null) deletes one of the user's pushers, from the device the
   * request's access token belongs to; nothing is stored from a refused request.
   */
  async set(userId: string, deviceId: string, body: unknown): Promise<void> {
    const request = parsePusherRequest(body, this.config.push);
    await this.tx.run(async (em) => {
      if (request.action === 'delete') return this.pushers.delete(userId, request.appId, request.pushkey, em);
      const { settings, append } = request;
      await this.pushers.upsert(userId, deviceId, settings, Date.now(), em);
      if (!append) await this.pushers.deleteOthers(userId, settings.appId, settings.pushkey, em);
      if ((await this.pushers.countFor(userId, em)) > MAX_PUSHERS_PER_USER)
        throw MatrixError.forbidden(`At most ${MAX_PUSHERS_PER_USER} pushers per account`);
    });
  }
}

/** Spec CS API `GET /pushers`: each pusher as it was set, `data` with its `url`. */
function toPusherResponse(pusher: Pusher): JsonObject {
  return {
    pushkey: pusher.pushkey,
    kind: pusher.kind,
    app_id: pusher.appId,
    app_display_name: pusher.appDisplayName,
    device_display_name: pusher.deviceDisplayName,
    ...(pusher.profileTag !== null ? { profile_tag: pusher.profileTag } : {}),
    lang: pusher.lang,
    data: pusher.data as JsonObject,
  };
}
