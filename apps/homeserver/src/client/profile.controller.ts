import { Body, Controller, Get, Inject, Param, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, ProfilesService, Requester, type Profile } from '@hearth/accounts';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { RemoteProfilesService } from '@hearth/federation';
import { MatrixError, ZodBodyPipe } from '@hearth/http';
import { OFF_DUTY_PROFILE_FIELD, OffDutyStatus } from '@hearth/sovereignty';

const DisplaynameBody = z.object({ displayname: z.string().nullable().optional() });
const AvatarBody = z.object({ avatar_url: z.string().nullable().optional() });

/** Profiles need an access token here: who has an account is not public information. */
@Controller('_matrix/client/v3/profile/:userId')
@UseGuards(AccessTokenGuard)
export class ProfileController {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly profiles: ProfilesService,
    private readonly remoteProfiles: RemoteProfilesService,
    private readonly offDuty: OffDutyStatus,
  ) {}

  /** GET /_matrix/client/v3/profile/{userId} */
  @Get()
  async profile(@Requester() who: Requester, @Param('userId') userId: string) {
    const profile = await this.lookUp(who, userId);
    // Off duty shows as a custom field (docs/availability.md), only to those who may see the profile at all.
    return this.isLocal(userId) ? { ...profile, ...(await this.offDuty.profileFields(userId)) } : profile;
  }

  /** GET /_matrix/client/v3/profile/{userId}/org.hearth.off_duty (MSC4133's per-field read) */
  @Get(OFF_DUTY_PROFILE_FIELD)
  async offDutyField(@Requester() who: Requester, @Param('userId') userId: string) {
    await this.lookUp(who, userId);
    const fields = this.isLocal(userId) ? await this.offDuty.profileFields(userId) : {};
    if (!fields[OFF_DUTY_PROFILE_FIELD]) throw MatrixError.notFound('Not off duty');
    return fields;
  }

  /** GET /_matrix/client/v3/profile/{userId}/displayname */
  @Get('displayname')
  async displayname(@Requester() who: Requester, @Param('userId') userId: string) {
    const { displayname } = await this.lookUp(who, userId);
    if (displayname === undefined) throw MatrixError.notFound('No display name set');
    return { displayname };
  }

  /** GET /_matrix/client/v3/profile/{userId}/avatar_url */
  @Get('avatar_url')
  async avatarUrl(@Requester() who: Requester, @Param('userId') userId: string) {
    const { avatar_url } = await this.lookUp(who, userId);
    if (avatar_url === undefined) throw MatrixError.notFound('No avatar set');
    return { avatar_url };
  }

  /** PUT /_matrix/client/v3/profile/{userId}/displayname */
  @Put('displayname')
  async setDisplayname(
    @Requester() who: Requester,
    @Param('userId') userId: string,
    @Body(new ZodBodyPipe(DisplaynameBody)) body: z.output<typeof DisplaynameBody>,
  ) {
    await this.profiles.set(who.userId, userId, 'displayname', body.displayname ?? null);
    return {};
  }

  /** PUT /_matrix/client/v3/profile/{userId}/avatar_url */
  @Put('avatar_url')
  async setAvatarUrl(
    @Requester() who: Requester,
    @Param('userId') userId: string,
    @Body(new ZodBodyPipe(AvatarBody)) body: z.output<typeof AvatarBody>,
  ) {
    await this.profiles.set(who.userId, userId, 'avatar_url', body.avatar_url ?? null);
    return {};
  }

  /** Our users' profiles under our visibility rules; other servers' users' from their server, under theirs. */
  private lookUp(who: Requester, userId: string): Promise<Profile> {
    return this.isLocal(userId) ? this.profiles.get(who, userId) : this.remoteProfiles.get(userId);
  }

  private isLocal(userId: string): boolean {
    return userId.endsWith(`:${this.config.serverName}`);
  }
}
