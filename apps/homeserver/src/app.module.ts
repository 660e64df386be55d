import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AccountsModule } from '@hearth/accounts';
import { INVITE_COUNTERSIGNER, OUTBOX_PORT, REMOTE_MEMBERSHIP, RoomsModule } from '@hearth/rooms';
import { SyncModule } from '@hearth/sync';
import { E2eeModule, REMOTE_E2EE } from '@hearth/e2ee';
import { ConfigModule, type HearthConfig } from '@hearth/config';
import { FederationModule, RemoteE2eeClient, RemoteInvitesService, RemoteMembershipClient } from '@hearth/federation';
import { FederationClientModule } from '@hearth/federation-client';
import { RateLimitModule } from '@hearth/http';
import { RetentionModule } from '@hearth/retention';
import { SigningModule } from '@hearth/signing';
import { ALL_MIGRATIONS } from '@hearth/migrations';
import { type DatabaseEndpoint, StorageModule } from '@hearth/storage';
import { AdminRegistrationTokensController } from './admin/admin-registration-tokens.controller';
import { AdminServerController } from './admin/admin-server.controller';
import { AdminDestinationsController } from './admin/admin-destinations.controller';
import { DeliveryModule, DeliveryService, PUSH_POLICY } from '@hearth/delivery';
import { AdminUsersController } from './admin/admin-users.controller';
import { AdminAvailabilityController } from './admin/admin-availability.controller';
import { AdminEventReportsController } from './admin/admin-event-reports.controller';
import { AdminMediaController } from './admin/admin-media.controller';
import { ReportsController } from './client/rooms/reports.controller';
import { TimestampToEventController } from './client/rooms/timestamp-to-event.controller';
import { FederationTimestampToEventController } from './federation/timestamp-to-event.controller';
import { AccountController } from './client/account.controller';
import { AccountDataController } from './client/account-data.controller';
import { CapabilitiesController } from './client/capabilities.controller';
import { DevicesController } from './client/devices.controller';
import { LoginController } from './client/login.controller';
import { ProfileController } from './client/profile.controller';
import { PushRulesController } from './client/push-rules.controller';
import { PushersController } from './client/pushers.controller';
import { ReceiptsController } from './client/rooms/receipts.controller';
import { CreateRoomController } from './client/rooms/create-room.controller';
import { DirectoryController } from './client/rooms/directory.controller';
import { MembershipController } from './client/rooms/membership.controller';
import { PublicRoomsController } from './client/rooms/public-rooms.controller';
import { RelationsController } from './client/rooms/relations.controller';
import { RoomUpgradeController } from './client/rooms/room-upgrade.controller';
import { TypingController } from './client/rooms/typing.controller';
import { SpaceHierarchyController } from './client/rooms/space-hierarchy.controller';
import { FederationSpaceHierarchyController } from './federation/space-hierarchy.controller';
import { RoomEventsController } from './client/rooms/room-events.controller';
import { RegisterController } from './client/register.controller';
import { RegistrationTokenValidityController } from './client/registration-token.controller';
import { SessionController } from './client/session.controller';
import { KeyChangesController } from './client/e2ee/key-changes.controller';
import { KeysController } from './client/e2ee/keys.controller';
import { SendToDeviceController } from './client/e2ee/send-to-device.controller';
import { FilterController } from './client/sync/filter.controller';
import { SlidingSyncController } from './client/sync/sliding-sync.controller';
import { SyncController } from './client/sync/sync.controller';
import { ThreepidController } from './client/threepid.controller';
import { ThirdPartyController } from './client/thirdparty.controller';
import { VoipController } from './client/voip.controller';
import { VersionsController } from './client/versions.controller';
import { FederationVersionController } from './federation/federation-version.controller';
import { FederationQueryController } from './federation/query.controller';
import { FederationMembershipController } from './federation/membership.controller';
import { FederationEventsController } from './federation/events.controller';
import { FederationTransactionsController } from './federation/transactions.controller';
import { FederationInviteController } from './federation/invite.controller';
import { FederationUserKeysController } from './federation/user-keys.controller';
import { FederationPublicRoomsController } from './federation/public-rooms.controller';
import { FederationOpenIdController } from './federation/openid.controller';
import { FederationMediaController } from './federation/media.controller';
import { OpenIdController } from './client/openid.controller';
import { RoomKeysController } from './client/e2ee/room-keys.controller';
import { HealthController } from './health/health.controller';
import { LegacyMediaController } from './client/media/legacy-media.controller';
import { MediaDownloadController } from './client/media/media-download.controller';
import { MediaUploadController } from './client/media/media-upload.controller';
import { OwnMediaController } from './client/media/own-media.controller';
import { MediaModule } from '@hearth/media';
import { ServerKeyController } from './keys/server-key.controller';
import { WellKnownController } from './wellknown/well-known.controller';
import { RoomTagsController } from './client/room-tags.controller';
import { UserDirectoryController } from './client/user-directory.controller';
import { SearchController } from './client/search.controller';
import { PresenceController } from './client/presence.controller';
import { ExportController } from './hearth/export.controller';
import { AvailabilityPushPolicy, ClockModule, SovereigntyModule, type Clock } from '@hearth/sovereignty';

/**
 * The ports between libs, bound in one place: the lib that needs a port declares its token and
 * interface, and this module names who serves it. Global, so that the needing lib's module sees
 * the binding; a missing one fails at boot.
 */
@Global()
@Module({
  imports: [DeliveryModule, FederationModule, SovereigntyModule],
  providers: [
    // delivery asks, before it enqueues a push, whether the user's work schedule has them off duty
    { provide: PUSH_POLICY, useExisting: AvailabilityPushPolicy },
    // rooms records its new events in delivery's outbox, in the transaction that commits them
    { provide: OUTBOX_PORT, useExisting: DeliveryService },
    // rooms has the invitee's server countersign an invite of a remote user
    { provide: INVITE_COUNTERSIGNER, useExisting: RemoteInvitesService },
    // rooms has our users join, knock on and leave rooms this server is not in through their servers
    { provide: REMOTE_MEMBERSHIP, useExisting: RemoteMembershipClient },
    // e2ee asks other servers for keys and sends them to-device messages
    { provide: REMOTE_E2EE, useExisting: RemoteE2eeClient },
  ],
  exports: [OUTBOX_PORT, INVITE_COUNTERSIGNER, REMOTE_MEMBERSHIP, REMOTE_E2EE, PUSH_POLICY],
})
class FederationPortsModule {}

@Module({})
export class AppModule {
  static register(config: HearthConfig, endpoint: DatabaseEndpoint, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(clock),
        StorageModule.forRoot({ endpoint, migrations: ALL_MIGRATIONS, serverName: config.serverName }),
        RateLimitModule,
        SigningModule,
        FederationClientModule,
        FederationModule,
        FederationPortsModule,
        DeliveryModule,
        AccountsModule,
        RoomsModule,
        SyncModule,
        E2eeModule,
        MediaModule,
        RetentionModule,
        SovereigntyModule,
      ],
      controllers: [
        VersionsController,
        RegisterController,
        RegistrationTokenValidityController,
        LoginController,
        SessionController,
        DevicesController,
        AccountController,
        AccountDataController,
        CapabilitiesController,
        ProfileController,
        CreateRoomController,
        RoomEventsController,
        MembershipController,
        DirectoryController,
        RelationsController,
        PublicRoomsController,
        RoomUpgradeController,
        ReceiptsController,
        TypingController,
        SpaceHierarchyController,
        ReportsController,
        TimestampToEventController,
        PushRulesController,
        PushersController,
        SyncController,
        SlidingSyncController,
        FilterController,
        SendToDeviceController,
        KeysController,
        KeyChangesController,
        ThreepidController,
        ThirdPartyController,
        VoipController,
        FederationQueryController,
        FederationMembershipController,
        FederationEventsController,
        FederationTransactionsController,
        FederationInviteController,
        FederationUserKeysController,
        FederationPublicRoomsController,
        FederationOpenIdController,
        FederationMediaController,
        FederationSpaceHierarchyController,
        FederationTimestampToEventController,
        OpenIdController,
        RoomKeysController,
        AdminServerController,
        AdminDestinationsController,
        AdminUsersController,
        AdminAvailabilityController,
        AdminEventReportsController,
        AdminMediaController,
        AdminRegistrationTokensController,
        ExportController,
        FederationVersionController,
        ServerKeyController,
        WellKnownController,
        HealthController,
        MediaUploadController,
        MediaDownloadController,
        LegacyMediaController,
        OwnMediaController,
        RoomTagsController,
        UserDirectoryController,
        SearchController,
        PresenceController,
      ],
    };
  }
}
