import { Module } from '@nestjs/common';
import { AccountsModule } from '@hearth/accounts';
import { DeliveryModule } from '@hearth/delivery';
import { E2eeModule } from '@hearth/e2ee';
import { FederationClientModule } from '@hearth/federation-client';
import { RoomsModule } from '@hearth/rooms';
import { E2eeFederationService } from './e2ee/e2ee-federation.service';
import { RemoteE2eeClient } from './e2ee/remote-e2ee.client';
import { PduVerifier } from './events/pdu-verifier';
import { RemoteJoinService } from './joining/remote-join.service';
import { RemoteLeaveService } from './joining/remote-leave.service';
import { RemoteMembershipClient } from './joining/remote-membership.client';
import { RemoteInvitesService } from './joining/remote-invites.service';
import { NotaryService } from './keys/notary.service';
import { ServerKeysService } from './keys/server-keys.service';
import { EduHandler } from './receiving/edu-handler';
import { InboundTxnRepository } from './receiving/inbound-txn.repository';
import { TransactionReceiver } from './receiving/transaction-receiver';
import { AliasResolver } from './queries/alias-resolver.service';
import { RemoteProfilesService } from './queries/remote-profiles.service';
import { FederationSender } from './sending/federation-sender';
import { RemoteHierarchyClient } from './spaces/remote-hierarchy.client';
import { SpaceHierarchyService } from './spaces/space-hierarchy.service';
import { TimestampToEventService } from './timestamps/timestamp-to-event.service';

@Module({
  imports: [FederationClientModule, RoomsModule, E2eeModule, DeliveryModule, AccountsModule],
  providers: [
    ServerKeysService,
    NotaryService,
    PduVerifier,
    RemoteJoinService,
    RemoteLeaveService,
    RemoteMembershipClient,
    RemoteInvitesService,
    FederationSender,
    InboundTxnRepository,
    EduHandler,
    TransactionReceiver,
    E2eeFederationService,
    RemoteE2eeClient,
    AliasResolver,
    RemoteProfilesService,
    RemoteHierarchyClient,
    SpaceHierarchyService,
    TimestampToEventService,
  ],
  exports: [
    ServerKeysService,
    NotaryService,
    PduVerifier,
    RemoteMembershipClient,
    RemoteInvitesService,
    RemoteE2eeClient,
    FederationSender,
    TransactionReceiver,
    AliasResolver,
    RemoteProfilesService,
    SpaceHierarchyService,
    TimestampToEventService,
  ],
})
export class FederationModule {}
