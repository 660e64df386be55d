import { Controller, Get } from '@nestjs/common';
import { ServerKeysService } from '@hearth/federation';

@Controller('_matrix/key/v2')
export class ServerKeyController {
  constructor(private readonly keys: ServerKeysService) {}

  /** GET /_matrix/key/v2/server */
  @Get('server')
  serverKeys() {
    return this.keys.keyDocument();
  }
}
