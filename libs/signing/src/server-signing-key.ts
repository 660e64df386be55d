import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import {
  countersignEvent,
  signEvent,
  signJson,
  signNewEvent,
  type JsonObject,
  type RoomVersion,
  type SigningKey,
} from '@hearth/protocol';
import { loadOrCreateSigningKey } from './signing-key-file';

export const SERVER_SIGNING_KEY = Symbol('SERVER_SIGNING_KEY');

/**
 * This server's signing identity. Rooms sign the events they create with it and federation
 * signs requests and the key document; both reach it here, so neither depends on the other.
 */
@Injectable()
export class ServerSigner {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(SERVER_SIGNING_KEY) readonly key: SigningKey,
  ) {}

  get serverName(): string {
    return this.config.serverName;
  }

  signJson<T extends JsonObject>(object: T): T {
    return signJson(object, this.config.serverName, this.key);
  }

  /** Adds the content hash and our signature (spec "Signing Events"). */
  signEvent(event: JsonObject, version: RoomVersion): JsonObject {
    return signEvent(event, this.config.serverName, this.key, version);
  }

  /** A new event of ours, hashed and signed, with its event ID (room versions 3 and later). */
  signNewEvent(event: JsonObject, version: RoomVersion): { event: JsonObject; eventId: string } {
    return signNewEvent(event, this.config.serverName, this.key, version);
  }

  /** Adds our signature to another server's event, leaving its hashes as they are. */
  countersignEvent(event: JsonObject, version: RoomVersion): JsonObject {
    return countersignEvent(event, this.config.serverName, this.key, version);
  }
}

@Global()
@Module({
  providers: [
    {
      provide: SERVER_SIGNING_KEY,
      inject: [HEARTH_CONFIG],
      useFactory: (config: HearthConfig) => loadOrCreateSigningKey(config.signingKeyPath),
    },
    ServerSigner,
  ],
  exports: [ServerSigner],
})
export class SigningModule {}
