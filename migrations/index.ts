import { ServerIdentity1763820000000 } from './1763820000000-ServerIdentity';
import { Accounts1763830000000 } from './1763830000000-Accounts';
import { Rooms1763840000000 } from './1763840000000-Rooms';
import { RoomRelations1763850000000 } from './1763850000000-RoomRelations';
import { PushRulesAndReceipts1763860000000 } from './1763860000000-PushRulesAndReceipts';
import { PushRuleVersions1763870000000 } from './1763870000000-PushRuleVersions';
import { SyncStreams1763880000000 } from './1763880000000-SyncStreams';
import { ToDevice1763890000000 } from './1763890000000-ToDevice';
import { DeviceKeys1763900000000 } from './1763900000000-DeviceKeys';
import { DeviceLists1763910000000 } from './1763910000000-DeviceLists';
import { ServerKeys1763920000000 } from './1763920000000-ServerKeys';
import { FederatedEvents1763930000000 } from './1763930000000-FederatedEvents';
import { Backfill1763940000000 } from './1763940000000-Backfill';
import { OpenIdTokens1763950000000 } from './1763950000000-OpenIdTokens';
import { CrossSigning1763960000000 } from './1763960000000-CrossSigning';
import { KeyBackup1763970000000 } from './1763970000000-KeyBackup';
import { Delivery1763980000000 } from './1763980000000-Delivery';
import { WritePath1763990000000 } from './1763990000000-WritePath';
import { AccessTokenNotifications1764000000000 } from './1764000000000-AccessTokenNotifications';
import { EventRowKeys1764010000000 } from './1764010000000-EventRowKeys';
import { NotificationSummaries1764020000000 } from './1764020000000-NotificationSummaries';
import { OutboxTransactionIds1764030000000 } from './1764030000000-OutboxTransactionIds';
import { EventTxnsByEvent1764036000000 } from './1764036000000-EventTxnsByEvent';
import { Pushers1764050000000 } from './1764050000000-Pushers';
import { Media1764040000000 } from './1764040000000-Media';
import { MessageSearch1764060000000 } from './1764060000000-MessageSearch';
import { Presence1764060100000 } from './1764060100000-Presence';
import { EventReports1764070000000 } from './1764070000000-EventReports';
import { EventsByTimestamp1764070100000 } from './1764070100000-EventsByTimestamp';
import { RetentionTimes1764080000000 } from './1764080000000-RetentionTimes';
import { EventContentPurge1764080100000 } from './1764080100000-EventContentPurge';
import { UserExports1764081000000 } from './1764081000000-UserExports';
import { ErasedUsers1764081100000 } from './1764081100000-ErasedUsers';
import { SlidingSyncConnections1764090000000 } from './1764090000000-SlidingSyncConnections';
import { RemoteMediaCache1764100000000 } from './1764100000000-RemoteMediaCache';
import { SearchPendingList1764095000000 } from './1764095000000-SearchPendingList';
import { MediaQuarantine1764101000000 } from './1764101000000-MediaQuarantine';
import { UrlPreviews1764101100000 } from './1764101100000-UrlPreviews';
import { RemoteMediaQuarantine1764101500000 } from './1764101500000-RemoteMediaQuarantine';
import { AvailabilityDefault1764102000000 } from './1764102000000-AvailabilityDefault';
import { AvailabilityNotices1764102100000 } from './1764102100000-AvailabilityNotices';
import { RoomActivity1764103000000 } from './1764103000000-RoomActivity';
import { UnreadCountsAtWrite1764104000000 } from './1764104000000-UnreadCountsAtWrite';

/** Every migration in order. Landed migrations are never edited; add a new one instead. */
export const ALL_MIGRATIONS = [
  ServerIdentity1763820000000,
  Accounts1763830000000,
  Rooms1763840000000,
  RoomRelations1763850000000,
  PushRulesAndReceipts1763860000000,
  PushRuleVersions1763870000000,
  SyncStreams1763880000000,
  ToDevice1763890000000,
  DeviceKeys1763900000000,
  DeviceLists1763910000000,
  ServerKeys1763920000000,
  FederatedEvents1763930000000,
  Backfill1763940000000,
  OpenIdTokens1763950000000,
  CrossSigning1763960000000,
  KeyBackup1763970000000,
  Delivery1763980000000,
  WritePath1763990000000,
  AccessTokenNotifications1764000000000,
  EventRowKeys1764010000000,
  NotificationSummaries1764020000000,
  OutboxTransactionIds1764030000000,
  EventTxnsByEvent1764036000000,
  Media1764040000000,
  Pushers1764050000000,
  MessageSearch1764060000000,
  Presence1764060100000,
  EventReports1764070000000,
  EventsByTimestamp1764070100000,
  RetentionTimes1764080000000,
  EventContentPurge1764080100000,
  UserExports1764081000000,
  ErasedUsers1764081100000,
  SlidingSyncConnections1764090000000,
  SearchPendingList1764095000000,
  RemoteMediaCache1764100000000,
  MediaQuarantine1764101000000,
  UrlPreviews1764101100000,
  RemoteMediaQuarantine1764101500000,
  AvailabilityDefault1764102000000,
  AvailabilityNotices1764102100000,
  RoomActivity1764103000000,
  UnreadCountsAtWrite1764104000000,
];
