import { Controller, Get } from '@nestjs/common';

/**
 * Spec versions whose conventions we follow (v3 endpoint paths, Matrix error model). We serve no
 * r0 paths, so no r0 version is listed; the list grows only as whole spec versions are honoured.
 */
export const SUPPORTED_SPEC_VERSIONS = ['v1.1', 'v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6', 'v1.7', 'v1.8', 'v1.9', 'v1.10', 'v1.11', 'v1.12'];

@Controller('_matrix/client')
export class VersionsController {
  /** GET /_matrix/client/versions */
  @Get('versions')
  versions() {
    return { versions: SUPPORTED_SPEC_VERSIONS, unstable_features: {} };
  }
}
