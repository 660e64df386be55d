/** What user-interactive authentication needs to know of the request it guards. */
export interface UiaRequest {
  readonly method: string;
  readonly path: string;
  /** The request body's `auth` dict, as sent. */
  readonly auth: unknown;
  /** Set for endpoints behind an access token: stages must prove this user. */
  readonly userId?: string;
}
