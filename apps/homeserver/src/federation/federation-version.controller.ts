import { Controller, Get } from '@nestjs/common';
import { SERVER_SOFTWARE_NAME, SERVER_SOFTWARE_VERSION } from '../server-version';

@Controller('_matrix/federation/v1')
export class FederationVersionController {
  /** GET /_matrix/federation/v1/version */
  @Get('version')
  version() {
    return { server: { name: SERVER_SOFTWARE_NAME, version: SERVER_SOFTWARE_VERSION } };
  }
}
