/** Whether two users share a room: the rule for who may see a profile. The rooms module answers it. */
export interface RoomSharing {
  shareARoom(userA: string, userB: string): Promise<boolean>;
  /** Whether a user of another server is joined to a room where `userId` is joined or invited. */
  serverSharesARoom(serverName: string, userId: string): Promise<boolean>;
}

export const ROOM_SHARING = Symbol('ROOM_SHARING');
