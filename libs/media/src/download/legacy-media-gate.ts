import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { mediaErrors } from '../media-errors';

/**
 * The freeze of unauthenticated media (spec v1.11, Synapse's `enable_authenticated_media`):
 * unless the operator serves it, the legacy /_matrix/media/v3/download and /thumbnail answer
 * 404 M_NOT_FOUND, as MSC3916 asks, and clients move to the authenticated endpoints.
 */
@Injectable()
export class LegacyMediaGate {
  constructor(@Inject(HEARTH_CONFIG) private readonly config: HearthConfig) {}

  checkServed(): void {
    if (!this.config.media.legacyUnauthenticatedMedia) throw mediaErrors.notFound();
  }
}
