import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RoomSharingFromState, RoomsModule } from '@hearth/rooms';
import { AccountLifeService } from './account/account-life.service';
import { OpenIdTokensService } from './openid/openid-tokens.service';
import { AccountDataEntity } from './account-data/account-data.entity';
import { AccountDataRepository } from './account-data/account-data.repository';
import { AccountDataService } from './account-data/account-data.service';
import { RoomTagsService } from './account-data/room-tags.service';
import { LocalUsersDirectoryRepository } from './directory/local-users-directory.repository';
import { UserDirectoryService } from './directory/user-directory.service';
import { PresenceRepository } from './presence/presence.repository';
import { PresenceService } from './presence/presence.service';
import { AdminUsersService } from './admin/admin-users.service';
import { AccessTokenGuard } from './auth/access-token.guard';
import { AdminGuard } from './auth/admin.guard';
import { DeviceEntity } from './devices/device.entity';
import { DeviceRepository } from './devices/device.repository';
import { DevicesService } from './devices/devices.service';
import { JwtVerifier } from './login/jwt-verifier';
import { LoginService } from './login/login.service';
import { PasswordHasher } from './passwords/password-hasher';
import { ProfileEntity } from './profiles/profile.entity';
import { ProfileRepository } from './profiles/profile.repository';
import { ProfilesService } from './profiles/profiles.service';
import { ROOM_SHARING } from './profiles/room-sharing';
import { RegistrationTokenEntity } from './registration/registration-token.entity';
import { RegistrationTokenRepository } from './registration/registration-token.repository';
import { RegistrationService } from './registration/registration.service';
import { RegistrationTokensService } from './registration/registration-tokens.service';
import { AccessTokenEntity } from './tokens/access-token.entity';
import { AccessTokenCache } from './tokens/access-token-cache';
import { RefreshTokenEntity } from './tokens/refresh-token.entity';
import { TokenRepository } from './tokens/token.repository';
import { TokensService } from './tokens/tokens.service';
import { UiaSessionEntity } from './uia/uia-session.entity';
import { UiaSessionRepository } from './uia/uia-session.repository';
import { UiaStageVerifier } from './uia/uia-stage-verifier';
import { UiaService } from './uia/uia.service';
import { AccountCreator } from './users/account-creator';
import { HandlePolicy } from './users/handle-policy';
import { UserEntity } from './users/user.entity';
import { UserRepository } from './users/user.repository';

@Module({
  imports: [
    RoomsModule,
    TypeOrmModule.forFeature([
      UserEntity,
      ProfileEntity,
      DeviceEntity,
      AccessTokenEntity,
      RefreshTokenEntity,
      RegistrationTokenEntity,
      UiaSessionEntity,
      AccountDataEntity,
    ]),
  ],
  providers: [
    OpenIdTokensService,
    UserRepository,
    ProfileRepository,
    DeviceRepository,
    TokenRepository,
    RegistrationTokenRepository,
    UiaSessionRepository,
    PasswordHasher,
    HandlePolicy,
    AccountCreator,
    TokensService,
    AccessTokenCache,
    DevicesService,
    UiaStageVerifier,
    UiaService,
    RegistrationService,
    RegistrationTokensService,
    JwtVerifier,
    LoginService,
    AccountLifeService,
    AccessTokenGuard,
    AdminGuard,
    AdminUsersService,
    AccountDataRepository,
    AccountDataService,
    RoomTagsService,
    LocalUsersDirectoryRepository,
    UserDirectoryService,
    PresenceRepository,
    PresenceService,
    ProfilesService,
    { provide: ROOM_SHARING, useExisting: RoomSharingFromState },
  ],
  exports: [
    OpenIdTokensService,
    ProfilesService,
    AccountDataService,
    RoomTagsService,
    UserDirectoryService,
    PresenceService,
    AdminGuard,
    AdminUsersService,
    AccountLifeService,
    PasswordHasher,
    RegistrationTokensService,
    TokensService,
    DevicesService,
    UiaService,
    RegistrationService,
    LoginService,
    AccessTokenGuard,
    HandlePolicy,
    AccountCreator,
  ],
})
export class AccountsModule {}
