/** Who an access token belongs to, as a request's authentication needs it. */
export interface AccessTokenOwner {
  readonly tokenId: number;
  readonly userId: string;
  readonly deviceId: string;
  readonly expiresTs: number | null;
  readonly used: boolean;
  readonly refreshTokenId: number | null;
  readonly isAdmin: boolean;
  readonly deactivated: boolean;
}
