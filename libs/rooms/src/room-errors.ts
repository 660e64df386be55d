import { MatrixError } from '@hearth/http';

export const roomErrors = {
  /** Unknown rooms and rooms one may not see answer alike. */
  notInRoom: () => MatrixError.forbidden('You are not allowed to see or act in this room'),
  unsupportedVersion: (version: string) =>
    new MatrixError(400, 'M_UNSUPPORTED_ROOM_VERSION', `Room version ${version} is not supported here`),
  tooLarge: () => new MatrixError(413, 'M_TOO_LARGE', 'Event is larger than 65536 bytes'),
  txnReused: () => MatrixError.invalidParam('This transaction ID was already used for a different request'),
  roomInUse: () => new MatrixError(400, 'M_ROOM_IN_USE', 'That room alias is taken'),
};
