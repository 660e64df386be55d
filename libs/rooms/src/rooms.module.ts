import { Module } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { createTypingRelay, TypingRelay } from './ephemeral/typing-relay';
import { TypingService } from './ephemeral/typing.service';
import { EventWriter } from './events/event-writer.service';
import { ErasedUsersRepository } from './storage/erased-users.repository';
import { HistoryVisibility } from './events/history-visibility';
import { RoomWriteQueue } from './events/room-write-queue';
import { SendBatcher } from './events/send-batcher';
import { MembershipService } from './membership/membership.service';
import { RestrictedJoins } from './membership/restricted-joins';
import { RoomJoinService } from './membership/room-join.service';
import { RoomDeparture } from './membership/room-departure.service';
import { RoomLeaveService } from './membership/room-leave.service';
import { LocalRejection } from './membership/local-rejection';
import { RelationsService } from './messages/relations.service';
import { RoomEventsService } from './messages/room-events.service';
import { PushEvaluator } from './push/push-evaluator';
import { PushRuleRepository } from './push/push-rule.repository';
import { PushRulesService } from './push/push-rules.service';
import { NotificationCounts } from './push/notification-counts';
import { NotificationFeed } from './push/notification-feed';
import { RecentNotifications } from './push/recent-notifications';
import { NotificationsService } from './push/notifications.service';
import { ReceiptRepository } from './receipts/receipt.repository';
import { ReceiptsService } from './receipts/receipts.service';
import { PublicRoomsService } from './rooms/public-rooms.service';
import { RoomAliasesService } from './rooms/room-aliases.service';
import { RoomCreationService } from './rooms/room-creation.service';
import { RoomUpgradeService } from './rooms/room-upgrade.service';
import { RoomMembersService } from './state/room-members.service';
import { AliasRepository } from './storage/alias.repository';
import { EventRepository } from './storage/event.repository';
import { RelationRepository } from './storage/relation.repository';
import { RoomRepository } from './storage/room.repository';
import { StateRepository } from './storage/state.repository';
import { WriteContextRepository } from './storage/write-context.repository';
import { RoomSharingFromState } from './state/room-sharing';
import { MemberDirectory } from './directory/member-directory.service';
import { MessageSearchRepository } from './search/message-search.repository';
import { MessageSearchService } from './search/message-search.service';
import { SearchVisibility } from './search/search-visibility';
import { MemberDirectoryRepository } from './directory/member-directory.repository';
import { EventStream } from './streams/event-stream';
import { SyncRepository } from './storage/sync.repository';
import { RoomSyncReader } from './sync/room-sync-reader';
import { SlidingRoomReads } from './sliding/sliding-room-reads';
import { SlidingRoomReadsRepository } from './sliding/sliding-room-reads.repository';
import { FederatedEventRepository } from './federated/federated-event.repository';
import { FederatedRoomsService } from './federated/federated-rooms.service';
import { PeerVisibility } from './federated/peer-visibility';
import { RemoteInviteService } from './membership/remote-invite.service';
import { RemoteEventReceiver } from './federated/remote-event-receiver';
import { RoomTimelines } from './sync/room-timelines';
import { EventBuilder } from './pipeline/event-builder';
import { EventPipeline } from './pipeline/event-pipeline.service';
import { EventStoreRepository } from './pipeline/event-store.repository';
import { StateGroupWriter } from './pipeline/state-group.writer';
import { StateResolver } from './pipeline/state-resolver';
import { PeerHierarchyService } from './spaces/peer-hierarchy.service';
import { ContentReportsService } from './reports/content-reports.service';
import { EventReportRepository } from './reports/event-report.repository';
import { ReportsAdminService } from './reports/reports-admin.service';
import { EventByTimestampRepository } from './timestamps/event-by-timestamp.repository';
import { EventByTimestampService } from './timestamps/event-by-timestamp.service';
import { RoomSummaries } from './spaces/room-summaries';
import { SpaceStateRepository } from './spaces/space-state.repository';

@Module({
  providers: [
    RoomRepository,
    EventRepository,
    ErasedUsersRepository,
    StateRepository,
    WriteContextRepository,
    AliasRepository,
    RelationRepository,
    PushRuleRepository,
    PushRulesService,
    PushEvaluator,
    ReceiptRepository,
    ReceiptsService,
    NotificationCounts,
    NotificationFeed,
    RecentNotifications,
    NotificationsService,
    {
      provide: TypingRelay,
      useFactory: (config: HearthConfig) => createTypingRelay(config.redisUrl),
      inject: [HEARTH_CONFIG],
    },
    TypingService,
    EventStream,
    SyncRepository,
    RoomSyncReader,
    SlidingRoomReads,
    SlidingRoomReadsRepository,
    RoomTimelines,
    EventWriter,
    SendBatcher,
    RoomWriteQueue,
    RelationsService,
    HistoryVisibility,
    RoomCreationService,
    RoomEventsService,
    MembershipService,
    RestrictedJoins,
    RoomJoinService,
    RoomLeaveService,
    LocalRejection,
    RoomDeparture,
    RoomMembersService,
    RoomAliasesService,
    PublicRoomsService,
    RoomUpgradeService,
    MessageSearchRepository,
    SearchVisibility,
    MessageSearchService,
    MemberDirectoryRepository,
    MemberDirectory,
    RoomSharingFromState,
    FederatedEventRepository,
    RemoteEventReceiver,
    PeerVisibility,
    FederatedRoomsService,
    RemoteInviteService,
    EventStoreRepository,
    StateGroupWriter,
    StateResolver,
    EventBuilder,
    EventPipeline,
    SpaceStateRepository,
    RoomSummaries,
    PeerHierarchyService,
    EventReportRepository,
    ContentReportsService,
    ReportsAdminService,
    EventByTimestampRepository,
    EventByTimestampService,
  ],
  exports: [
    FederatedRoomsService,
    EventStream,
    RoomSyncReader,
    SlidingRoomReads,
    TypingService,
    PushRulesService,
    ReceiptsService,
    NotificationCounts,
    NotificationFeed,
    NotificationsService,
    RoomUpgradeService,
    PublicRoomsService,
    RelationsService,
    RoomCreationService,
    RoomEventsService,
    MembershipService,
    RoomJoinService,
    RoomLeaveService,
    RoomDeparture,
    RoomMembersService,
    RoomAliasesService,
    MessageSearchService,
    MemberDirectory,
    RoomSharingFromState,
    RoomSummaries,
    PeerHierarchyService,
    ContentReportsService,
    ReportsAdminService,
    EventByTimestampService,
  ],
})
export class RoomsModule {}
