import { z } from 'zod';
import { isValidServerName } from '../server-name';

/** Spec SS API `GET /.well-known/matrix/server`: where the server is delegated to, if it names a server. */
export const WellKnownServerAnswer = z.looseObject({
  'm.server': z.string().refine(isValidServerName, 'expected a server name'),
});

/**
 * Spec "Standard error response", as a peer's error answer carries it: either field of the wrong
 * type is as good as absent (the status still says what happened).
 */
export const MatrixErrorAnswer = z.looseObject({
  errcode: z.string().optional().catch(undefined),
  error: z.string().optional().catch(undefined),
});
