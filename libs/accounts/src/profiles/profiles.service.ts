import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { MembershipService } from '@hearth/rooms';
import { UserRepository } from '../users/user.repository';
import { ProfileRepository } from './profile.repository';
import { ROOM_SHARING, type RoomSharing } from './room-sharing';

export type ProfileField = 'displayname' | 'avatar_url';

export interface Profile {
  displayname?: string;
  avatar_url?: string;
}

/**
 * Profiles are seen by their owner, admins and people who share a room with them, unless the
 * operator opens them: a server should not tell strangers who has an account on it. A refusal
 * looks the same whether or not the account exists.
 */
@Injectable()
export class ProfilesService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(ROOM_SHARING) private readonly rooms: RoomSharing,
    private readonly profiles: ProfileRepository,
    private readonly users: UserRepository,
    private readonly membership: MembershipService,
  ) {}

  async get(viewer: { userId: string; isAdmin: boolean }, userId: string): Promise<Profile> {
    await this.assertVisible(viewer, userId);
    return this.read(userId);
  }

  /** Spec SS API `GET /query/profile`: the same rule, with "shares a room" meaning any of the asking server's users. */
  async getForServer(serverName: string, userId: string): Promise<Profile> {
    if (!userId.endsWith(`:${this.config.serverName}`))
      throw MatrixError.invalidParam('The user is not on this server');
    if (
      this.config.accounts.profileVisibility !== 'public' &&
      !(await this.rooms.serverSharesARoom(serverName, userId))
    ) {
      throw MatrixError.forbidden('Profiles are only shown to servers whose users share a room with the user');
    }
    return this.read(userId);
  }

  private async read(userId: string): Promise<Profile> {
    const user = await this.users.find(userId);
    const profile = user && user.deactivatedTs === null ? await this.profiles.find(userId) : null;
    if (!profile) throw MatrixError.notFound('Profile not found');
    return {
      ...(profile.displayname !== null ? { displayname: profile.displayname } : {}),
      ...(profile.avatarUrl !== null ? { avatar_url: profile.avatarUrl } : {}),
    };
  }

  async set(requester: string, userId: string, field: ProfileField, value: string | null): Promise<void> {
    if (requester !== userId) throw MatrixError.forbidden("Cannot change another user's profile");
    if (field === 'avatar_url' && value !== null && !/^mxc:\/\/[^/]+\/[A-Za-z0-9_-]+$/.test(value)) {
      throw MatrixError.invalidParam('avatar_url must be an mxc:// URI');
    }
    if (value !== null && value.length > 256) throw MatrixError.invalidParam(`${field} must be at most 256 characters`);
    await this.profiles.update(userId, field === 'displayname' ? { displayname: value } : { avatarUrl: value });
    const profile = await this.profiles.find(userId);
    await this.membership.refreshProfile(userId, {
      ...(profile?.displayname ? { displayname: profile.displayname } : {}),
      ...(profile?.avatarUrl ? { avatar_url: profile.avatarUrl } : {}),
    });
  }

  private async assertVisible(viewer: { userId: string; isAdmin: boolean }, userId: string): Promise<void> {
    if (!userId.endsWith(`:${this.config.serverName}`))
      throw MatrixError.notFound('Profiles of other servers are not kept here');
    if (viewer.userId === userId || viewer.isAdmin || this.config.accounts.profileVisibility === 'public') return;
    if (!(await this.rooms.shareARoom(viewer.userId, userId))) {
      throw MatrixError.forbidden('You can only see the profiles of people you share a room with');
    }
  }
}
