import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { accountErrors } from '../account-errors';
import { TokensService } from '../tokens/tokens.service';
import type { AuthenticatedRequest } from './requester';

/**
 * Spec CS API "Using access tokens": `Authorization: Bearer <token>`, or the deprecated
 * `access_token` query parameter that older clients still send.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly tokens: TokensService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = accessTokenFrom(request);
    if (!token) throw accountErrors.missingToken();
    request.requester = await this.tokens.authenticate(token);
    return true;
  }
}

export function accessTokenFrom(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.access_token;
  return typeof fromQuery === 'string' && fromQuery.length > 0 ? fromQuery : undefined;
}
