import { Controller, Get, Inject } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';

@Controller('.well-known/matrix')
export class WellKnownController {
  constructor(@Inject(HEARTH_CONFIG) private readonly config: HearthConfig) {}

  /** GET /.well-known/matrix/client */
  @Get('client')
  client() {
    return { ...this.config.wellKnown.client, 'm.homeserver': { base_url: this.config.publicBaseUrl } };
  }

  /** GET /.well-known/matrix/server — only when the operator delegates federation elsewhere. */
  @Get('server')
  server() {
    if (!this.config.wellKnown.server) throw MatrixError.notFound('No federation delegation is configured');
    return { 'm.server': this.config.wellKnown.server };
  }
}
