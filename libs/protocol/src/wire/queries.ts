import { z } from 'zod';
import { isValidRoomId } from '../identifiers';
import { isValidServerName } from '../server-name';

/** Spec SS API `GET /query/profile`. A field of the wrong type is left out, as if the server had not sent it. */
export const ProfileAnswer = z.looseObject({
  displayname: z.string().optional().catch(undefined),
  avatar_url: z.string().optional().catch(undefined),
});

/** Spec SS API `GET /query/directory`. Servers that are not server names are left out. */
export const DirectoryAnswer = z.looseObject({
  room_id: z.string().refine(isValidRoomId, 'expected a room ID'),
  servers: z
    .array(z.unknown())
    .catch([])
    .transform((servers) => servers.filter((s): s is string => typeof s === 'string' && isValidServerName(s))),
});
