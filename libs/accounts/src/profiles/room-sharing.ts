/**
 * Whether two users share a room: the rule for who may see a profile. The rooms module
 * provides the real answer when it lands; until then no rooms exist, so no two users share one.
 */
export interface RoomSharing {
  shareARoom(userA: string, userB: string): Promise<boolean>;
}

export const ROOM_SHARING = Symbol('ROOM_SHARING');

export const noRoomsYet: RoomSharing = {
  shareARoom: () => Promise.resolve(false),
};
