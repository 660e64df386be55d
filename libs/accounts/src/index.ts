export { accountErrors } from './account-errors';
export { AccountLifeService } from './account/account-life.service';
export { AccountDataService } from './account-data/account-data.service';
export { MAX_TAG_BYTES, RoomTagsService } from './account-data/room-tags.service';
export { PresenceService, type RemotePresence } from './presence/presence.service';
export { PRESENCE_STATES } from './presence/presence-state';
export { UserDirectoryService, type DirectoryResult, type DirectorySearch } from './directory/user-directory.service';
export { AccountsModule } from './accounts.module';
export { AdminUsersService } from './admin/admin-users.service';
export { AccessTokenGuard } from './auth/access-token.guard';
export { AdminGuard } from './auth/admin.guard';
export { Requester } from './auth/requester';
export { DevicesService, toDeviceResponse, type StartedSession } from './devices/devices.service';
export { LoginService, refuseThirdPartyIdentifiers } from './login/login.service';
export { MAX_PASSWORD_LENGTH, PasswordHasher } from './passwords/password-hasher';
export { ProfilesService, type Profile, type ProfileField } from './profiles/profiles.service';
export { ROOM_SHARING, type RoomSharing } from './profiles/room-sharing';
export { RegistrationService, type RegisterRequest } from './registration/registration.service';
export {
  RegistrationTokensService,
  toRegistrationTokenResponse,
  type NewRegistrationToken,
} from './registration/registration-tokens.service';
export { TokensService } from './tokens/tokens.service';
export { AccessTokenCache } from './tokens/access-token-cache';
export { UIA_STAGES, type UiaFlow } from './uia/uia-stage';
export { UiaService } from './uia/uia.service';
export { AccountCreator } from './users/account-creator';
export { HandlePolicy } from './users/handle-policy';
export { OpenIdTokensService } from './openid/openid-tokens.service';
