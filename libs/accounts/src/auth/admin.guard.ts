import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { accountErrors } from '../account-errors';
import { AccessTokenGuard } from './access-token.guard';
import type { AuthenticatedRequest } from './requester';

/** An access token of a server admin (the admin API). */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly tokens: AccessTokenGuard) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.tokens.canActivate(context);
    const requester = context.switchToHttp().getRequest<AuthenticatedRequest>().requester;
    if (!requester?.isAdmin) throw accountErrors.forbidden('You are not a server admin');
    return true;
  }
}
