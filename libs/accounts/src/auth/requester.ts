import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { MatrixError } from '@hearth/http';

/** Who is asking: resolved from the access token by the AccessTokenGuard. */
export interface Requester {
  readonly userId: string;
  readonly deviceId: string;
  readonly isAdmin: boolean;
  readonly accessTokenId: number;
}

export type AuthenticatedRequest = FastifyRequest & { requester?: Requester };

/** `@Requester() who: Requester` — the authenticated caller; only valid behind the guard. */
export const Requester = createParamDecorator((_data: unknown, context: ExecutionContext): Requester => {
  const requester = context.switchToHttp().getRequest<AuthenticatedRequest>().requester;
  if (!requester) throw MatrixError.unknown('Route is missing its access-token guard');
  return requester;
});
