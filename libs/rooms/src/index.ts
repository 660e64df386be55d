export { MembershipService, type MembershipChange } from './membership/membership.service';
export { RelationsService, type RelationsPage } from './messages/relations.service';
export { RoomEventsService, type Sender } from './messages/room-events.service';
export { RoomAliasesService } from './rooms/room-aliases.service';
export { RoomCreationService } from './rooms/room-creation.service';
export type { CreateRoomRequest, RoomPreset } from './rooms/create-room-request';
export { RoomsModule } from './rooms.module';
export { RoomMembersService } from './state/room-members.service';
export { RoomSharingFromState } from './state/room-sharing';
