import type { JsonObject } from '@hearth/protocol';

export type RoomPreset = 'private_chat' | 'trusted_private_chat' | 'public_chat';

/** POST /createRoom, validated by the controller. */
export interface CreateRoomRequest {
  readonly visibility?: 'public' | 'private';
  readonly preset?: RoomPreset;
  readonly name?: string;
  readonly topic?: string;
  readonly roomAliasName?: string;
  readonly invite?: readonly string[];
  readonly initialState?: ReadonlyArray<{ type: string; state_key?: string; content: JsonObject }>;
  readonly powerLevelContentOverride?: JsonObject;
  readonly creationContent?: JsonObject;
  readonly isDirect?: boolean;
  readonly roomVersion?: string;
}
