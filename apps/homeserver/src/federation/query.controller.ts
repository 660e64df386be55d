import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ProfilesService } from '@hearth/accounts';
import { FederationAuthGuard, FederationOrigin } from '@hearth/federation-client';
import { MatrixError } from '@hearth/http';
import type { z } from 'zod';
import { isValidRoomAlias, isValidUserId, type DirectoryAnswer, type ProfileAnswer } from '@hearth/protocol';
import { RoomAliasesService } from '@hearth/rooms';
import { OFF_DUTY_PROFILE_FIELD, OffDutyStatus } from '@hearth/sovereignty';

@Controller('_matrix/federation/v1/query')
@UseGuards(FederationAuthGuard)
export class FederationQueryController {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly aliases: RoomAliasesService,
    private readonly offDuty: OffDutyStatus,
  ) {}

  /** GET /_matrix/federation/v1/query/profile */
  @Get('profile')
  async profile(
    @FederationOrigin() origin: string,
    @Query('user_id') userId?: string,
    @Query('field') field?: string,
  ): Promise<z.input<typeof ProfileAnswer>> {
    if (userId === undefined) throw MatrixError.missingParam('user_id is required');
    if (!isValidUserId(userId)) throw MatrixError.invalidParam('user_id is not a user ID');
    if (field !== undefined && field !== 'displayname' && field !== 'avatar_url' && field !== OFF_DUTY_PROFILE_FIELD)
      throw MatrixError.invalidParam(`field is displayname, avatar_url or ${OFF_DUTY_PROFILE_FIELD}`);
    // Off duty goes to the servers that may see the profile at all, as it goes to local users (docs/availability.md).
    const profile: Record<string, unknown> = {
      ...(await this.profiles.getForServer(origin, userId)),
      ...(await this.offDuty.profileFields(userId)),
    };
    if (field === undefined) return profile;
    return profile[field] === undefined ? {} : { [field]: profile[field] };
  }

  /** GET /_matrix/federation/v1/query/directory */
  @Get('directory')
  async directory(@Query('room_alias') alias?: string): Promise<z.input<typeof DirectoryAnswer>> {
    if (alias === undefined) throw MatrixError.missingParam('room_alias is required');
    if (!isValidRoomAlias(alias)) throw MatrixError.invalidParam('room_alias is not a room alias');
    return this.aliases.resolve(alias);
  }
}
