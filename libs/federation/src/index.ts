export { FederationModule } from './federation.module';
export { MAX_NOTARY_SERVERS, NotaryService } from './keys/notary.service';
export { buildServerKeyDocument } from './keys/server-key-document';
export { ServerKeysService } from './keys/server-keys.service';
export { InvalidPduError, MAX_TRANSACTION_DEPTH, PduVerifier } from './events/pdu-verifier';
export { RemoteMembershipClient } from './joining/remote-membership.client';
export { RemoteInvitesService } from './joining/remote-invites.service';
export { RemoteE2eeClient } from './e2ee/remote-e2ee.client';
export { TransactionReceiver, type InboundTransaction } from './receiving/transaction-receiver';
export { FederationSender } from './sending/federation-sender';
export { AliasResolver, type ResolvedAlias } from './queries/alias-resolver.service';
export { RemoteProfilesService, type RemoteProfile } from './queries/remote-profiles.service';
export {
  MAX_HIERARCHY_DEPTH,
  MAX_HIERARCHY_LIMIT,
  SpaceHierarchyService,
  type HierarchyRequest,
} from './spaces/space-hierarchy.service';
export { TimestampToEventService, type EventAtTime } from './timestamps/timestamp-to-event.service';
