/** An event the authorization rules reject; `rule` names the rule (spec numbering for v10/v11). */
export class AuthError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}
