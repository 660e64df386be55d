import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, accountErrors } from '@hearth/accounts';

/**
 * Accounts on Hearth are handles, never e-mail addresses or phone numbers: the 3PID list is
 * always empty and every way to add or use one answers M_THREEPID_DENIED.
 */
@Controller('_matrix/client/v3')
export class ThreepidController {
  /** GET /_matrix/client/v3/account/3pid */
  @Get('account/3pid')
  @UseGuards(AccessTokenGuard)
  list() {
    return { threepids: [] };
  }

  /** POST /account/3pid, /add, /bind, /unbind, /delete and the requestToken endpoints */
  @Post([
    'account/3pid',
    'account/3pid/add',
    'account/3pid/bind',
    'account/3pid/unbind',
    'account/3pid/delete',
    'account/3pid/email/requestToken',
    'account/3pid/msisdn/requestToken',
    'register/email/requestToken',
    'register/msisdn/requestToken',
    'account/password/email/requestToken',
    'account/password/msisdn/requestToken',
  ])
  @HttpCode(403)
  refuse(): never {
    throw accountErrors.threepidDenied();
  }
}
