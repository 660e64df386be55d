import { MatrixError } from '@hearth/http';

/** The errors of the accounts surface, with the status and errcode the spec gives each. */
export const accountErrors = {
  missingToken: () => new MatrixError(401, 'M_MISSING_TOKEN', 'Missing access token'),
  unknownToken: (softLogout: boolean) =>
    new MatrixError(401, 'M_UNKNOWN_TOKEN', softLogout ? 'Access token has expired' : 'Unrecognised access token', {
      soft_logout: softLogout,
    }),
  invalidUsername: (message: string) => new MatrixError(400, 'M_INVALID_USERNAME', message),
  userInUse: () => new MatrixError(400, 'M_USER_IN_USE', 'That handle is taken'),
  exclusive: () => new MatrixError(400, 'M_EXCLUSIVE', 'That handle is reserved by the operator'),
  forbidden: (message: string) => new MatrixError(403, 'M_FORBIDDEN', message),
  registrationClosed: () => new MatrixError(403, 'M_FORBIDDEN', 'Registration is closed on this server'),
  invalidLogin: () => new MatrixError(403, 'M_FORBIDDEN', 'Invalid username or password'),
  userDeactivated: () => new MatrixError(403, 'M_USER_DEACTIVATED', 'This account has been deactivated'),
  unknownLoginType: (type: string) => new MatrixError(400, 'M_UNKNOWN', `Unknown login type ${type}`),
  threepidDenied: () =>
    new MatrixError(
      403,
      'M_THREEPID_DENIED',
      'This server does not use e-mail addresses or phone numbers: accounts are handles',
    ),
  notFound: (message: string) => MatrixError.notFound(message),
};
