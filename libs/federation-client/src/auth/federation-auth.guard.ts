import { type CanActivate, type ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import {
  isValidServerName,
  parseXMatrixAuthorization,
  signedRequestObject,
  verifyJsonSignature,
  type JsonValue,
} from '@hearth/protocol';
import { RemoteKeysService } from '../keys/remote-keys.service';
import { FederationPolicy } from '../policy/federation-policy';

export type FederationRequestContext = FastifyRequest & { federationOrigin?: string };

/**
 * Spec SS API "Request Authentication": the `X-Matrix` header must name us as destination (when
 * it names one) and carry a valid signature of the origin over method, URI and body.
 */
@Injectable()
export class FederationAuthGuard implements CanActivate {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly policy: FederationPolicy,
    private readonly keys: RemoteKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FederationRequestContext>();
    const header = request.headers.authorization;
    const auth = header === undefined ? undefined : parseXMatrixAuthorization(header);
    if (!auth || !isValidServerName(auth.origin))
      throw MatrixError.unauthorized('Missing or malformed X-Matrix Authorization header');
    if (auth.destination !== undefined && auth.destination !== this.config.serverName) {
      throw MatrixError.unauthorized(`This request is for ${auth.destination}, not for this server`);
    }
    if (!this.policy.allows(auth.origin)) throw MatrixError.forbidden('Federation with this server is not allowed');
    const key = await this.keys.verifyKey(auth.origin, auth.key, Date.now());
    if (!key) throw MatrixError.unauthorized(`No valid key ${auth.key} of ${auth.origin} could be found`);
    const signed = signedRequestObject(
      {
        method: request.method,
        uri: request.raw.url ?? request.url,
        origin: auth.origin,
        destination: this.config.serverName,
        ...(request.body !== undefined ? { content: request.body as JsonValue } : {}),
      },
      auth,
    );
    if (!verifyJsonSignature(signed, auth.origin, auth.key, key))
      throw MatrixError.unauthorized('Invalid X-Matrix signature');
    request.federationOrigin = auth.origin;
    return true;
  }
}

/** `@FederationOrigin() origin: string` — the authenticated requesting server; only valid behind the guard. */
export const FederationOrigin = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const origin = context.switchToHttp().getRequest<FederationRequestContext>().federationOrigin;
  if (!origin) throw MatrixError.unknown('Route is missing its federation guard');
  return origin;
});
