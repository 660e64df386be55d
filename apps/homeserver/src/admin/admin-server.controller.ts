import { Controller, Get } from '@nestjs/common';
import { SERVER_SOFTWARE_VERSION } from '../server-version';

@Controller('_synapse/admin/v1')
export class AdminServerController {
  /** GET /_synapse/admin/v1/server_version — public in Synapse too; admin tools probe it first. */
  @Get('server_version')
  serverVersion() {
    return { server_version: SERVER_SOFTWARE_VERSION };
  }
}
