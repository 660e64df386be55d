import { MatrixError } from '@hearth/http';

/** Why a URL could not be previewed; the service turns it into a Matrix error (as Synapse answers). */
export class PreviewFetchError extends Error {
  constructor(
    readonly reason: 'blocked' | 'too-large' | 'unreachable' | 'bad-url',
    message: string,
  ) {
    super(message);
  }
}

export function previewError(error: PreviewFetchError): MatrixError {
  switch (error.reason) {
    case 'blocked':
      return new MatrixError(403, 'M_UNKNOWN', 'IP address blocked');
    case 'bad-url':
      return MatrixError.invalidParam(error.message);
    case 'too-large':
      return new MatrixError(502, 'M_TOO_LARGE', 'The page is too large to preview');
    case 'unreachable':
      return new MatrixError(502, 'M_UNKNOWN', `Failed to download content: ${error.message}`);
  }
}
