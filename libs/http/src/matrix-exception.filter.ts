import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ProtocolError } from '@hearth/protocol';
import { MatrixError } from './matrix-error';
import type { RouteTable } from './route-table';

/**
 * The one mapping from anything thrown to a Matrix error reply. Unexpected errors become
 * 500 M_UNKNOWN with the detail in the log, never in the reply.
 */
@Catch()
export class MatrixExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly routes: RouteTable,
    private readonly logger: Logger,
    private readonly translate: (error: unknown) => unknown = (error) => error,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (isClientGone(exception, request)) {
      // Nobody is left to answer: an ordinary event (a closed tab, a lost network), not a failure of ours.
      this.logger.info(
        { method: request.method, route: request.routeOptions?.url },
        'client closed the connection before the request was answered',
      );
      return;
    }
    const error = this.toMatrixError(this.translate(exception), request);
    // A 503 is a condition (a saturated pool, an unreachable database) that whoever names it through
    // `translateError` logs once; a line per request would bury it.
    if (error.status === 503)
      this.logger.debug({ method: request.method, route: request.routeOptions?.url }, error.message);
    else if (error.status >= 500)
      this.logger.error({ err: exception, method: request.method, route: request.routeOptions?.url }, 'request failed');
    if (reply.sent) return;
    void reply.status(error.status).headers(error.headers).send(error.toBody());
  }

  private toMatrixError(exception: unknown, request: FastifyRequest): MatrixError {
    if (exception instanceof MatrixError) return exception;
    if (exception instanceof ProtocolError) return fromProtocolError(exception);
    if (exception instanceof HttpException) return this.fromHttpException(exception, request);
    return MatrixError.unknown();
  }

  /** Nest raises HttpException for unmatched routes and wraps Fastify's own errors in it. */
  private fromHttpException(exception: HttpException, request: FastifyRequest): MatrixError {
    const status = exception.getStatus();
    if (status === 404) {
      const allowed = this.routes.allowedMethods(request.url);
      return allowed.length > 0 ? MatrixError.methodNotAllowed(allowed) : MatrixError.unrecognized();
    }
    if (status === 413) return MatrixError.tooLarge();
    if (status === 415 || status === 400) return MatrixError.notJson(exception.message);
    if (status === 503) return MatrixError.unavailable(exception.message);
    if (status >= 500) return MatrixError.unknown();
    return new MatrixError(status, 'M_UNKNOWN', exception.message);
  }
}

/** Node's `aborted` (ECONNRESET) on a request whose client hung up while we were reading its body. */
function isClientGone(exception: unknown, request: FastifyRequest): boolean {
  const code = (exception as { code?: unknown } | null)?.code;
  return (
    (code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE') &&
    request.raw.socket?.destroyed !== false
  );
}

function fromProtocolError(error: ProtocolError): MatrixError {
  switch (error.code) {
    case 'NOT_JSON':
      return MatrixError.notJson(error.message);
    case 'BAD_JSON':
      return MatrixError.badJson(error.message);
    default:
      return MatrixError.invalidParam(error.message);
  }
}
