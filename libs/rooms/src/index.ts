export { MAX_TYPING_TIMEOUT_MS, TypingService, type TypingChange } from './ephemeral/typing.service';
export { MembershipService, type MembershipChange } from './membership/membership.service';
export {
  NO_FEDERATION_MEMBERSHIP,
  REMOTE_MEMBERSHIP,
  type RemoteAlias,
  type RemoteMembershipPort,
} from './membership/remote-membership';
export { RoomJoinService } from './membership/room-join.service';
export { RoomLeaveService } from './membership/room-leave.service';
export { RoomDeparture } from './membership/room-departure.service';
export { PushRulesService, type NewPushRule } from './push/push-rules.service';
export { LOWER_COUNTS_BY_GONE, NotificationCounts } from './push/notification-counts';
export { NotificationFeed, type CommittedNotification, type NotifiedEvent } from './push/notification-feed';
export { RecentNotifications } from './push/recent-notifications';
export { NotificationsService, type NotificationsQuery } from './push/notifications.service';
export {
  ReceiptsService,
  RECEIPT_TYPES,
  type ReceiptChange,
  type ReceiptType,
  type UnreadCounts,
} from './receipts/receipts.service';
export { parseRoomEventFilter, type RoomEventFilter } from './messages/event-filter';
export { RelationsService, type RelationsPage } from './messages/relations.service';
export { RoomEventsService, type Sender } from './messages/room-events.service';
export { PublicRoomsService, type PublicRoomsQuery } from './rooms/public-rooms.service';
export { RoomAliasesService } from './rooms/room-aliases.service';
export { RoomCreationService } from './rooms/room-creation.service';
export { RoomUpgradeService } from './rooms/room-upgrade.service';
export type { CreateRoomRequest, RoomPreset } from './rooms/create-room-request';
export { RoomsModule } from './rooms.module';
export { RoomMembersService } from './state/room-members.service';
export { RoomSharingFromState } from './state/room-sharing';
export { RoomSyncReader, type ActivityAhead } from './sync/room-sync-reader';
export type { UnreadNotifications } from './sync/unread-notifications';
export { SlidingRoomReads } from './sliding/sliding-room-reads';
export type { CurrentStateRow, StateSelector } from './sliding/sliding-room-reads.repository';
export type { RoomTimeline, RoomWindow, TimelineRequest } from './sync/room-timelines';
export type { MembershipRow, RoomActivity, SyncHeadAsk, SyncHeadExtras } from './storage/sync.repository';
export { encodePageToken } from './messages/page-token';
export {
  FederatedRoomsService,
  type RemoteMembership,
  type StateWithAuthChain,
} from './federated/federated-rooms.service';
export { MissingEventsError, RejectedEventError } from './federated/rejected-event';
export type { ReceiveOutcome } from './federated/remote-event-receiver';
export {
  INVITE_COUNTERSIGNER,
  NO_FEDERATION_INVITES,
  type InviteCountersigner,
} from './membership/invite-countersigner';
export { NO_FEDERATION_OUTBOX, OUTBOX_PORT, type OutboxPort } from './pipeline/outbox-port';
export { RoomSummaries } from './spaces/room-summaries';
export type { RoomSummary } from './spaces/room-summary';
export { PeerHierarchyService, type PeerHierarchy } from './spaces/peer-hierarchy.service';
export { childrenToFollow, isLiveSpaceChild, viaOf, type SpaceChildState } from './spaces/space-children';
export { ContentReportsService, type ReportBody } from './reports/content-reports.service';
export { ReportsAdminService } from './reports/reports-admin.service';
export { EventByTimestampService } from './timestamps/event-by-timestamp.service';
export { MemberDirectory } from './directory/member-directory.service';
export type { DirectoryMatch, DirectoryQuery } from './directory/directory-match';
export { MessageSearchService } from './search/message-search.service';
export { parseSearchRequest, type SearchQuery } from './search/search-request';
