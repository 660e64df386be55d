import { Controller, Get } from '@nestjs/common';

/**
 * The r0 releases of the Client-Server API, whose paths (`/_matrix/client/r0/...`) we serve with
 * the v3 handlers (rewriteLegacyClientPath). Clients such as matrix-nio and matrix-bot-sdk look for
 * them before they use r0. Synapse lists r0.0.1 to r0.6.1; r0.0.0, the first release, is listed
 * too: its paths are the same r0 paths.
 */
const R0_VERSIONS = ['r0.0.0', 'r0.0.1', 'r0.1.0', 'r0.2.0', 'r0.3.0', 'r0.4.0', 'r0.5.0', 'r0.6.0', 'r0.6.1'];

/**
 * Spec versions whose conventions we follow (endpoint paths, Matrix error model); the list grows
 * only as whole spec versions are honoured.
 */
export const SUPPORTED_SPEC_VERSIONS = [
  ...R0_VERSIONS,
  'v1.1',
  'v1.2',
  'v1.3',
  'v1.4',
  'v1.5',
  'v1.6',
  'v1.7',
  'v1.8',
  'v1.9',
  'v1.10',
  'v1.11',
  'v1.12',
];

@Controller('_matrix/client')
export class VersionsController {
  /** GET /_matrix/client/versions */
  @Get('versions')
  versions() {
    // Element X looks for simplified sliding sync (MSC4186) here before it accepts the server.
    return { versions: SUPPORTED_SPEC_VERSIONS, unstable_features: { 'org.matrix.simplified_msc3575': true } };
  }
}
