import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester, UserDirectoryService } from '@hearth/accounts';
import { MatrixError } from '@hearth/http';

@Controller('_matrix/client/v3/user_directory')
@UseGuards(AccessTokenGuard)
export class UserDirectoryController {
  constructor(private readonly directory: UserDirectoryService) {}

  /** POST /_matrix/client/v3/user_directory/search */
  @Post('search')
  @HttpCode(200)
  search(@Requester() who: Requester, @Body() body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw MatrixError.badJson('The body must be a JSON object');
    return this.directory.search(who.userId, body);
  }
}
