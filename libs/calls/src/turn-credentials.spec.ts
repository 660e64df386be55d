import { turnCredentials } from './turn-credentials';

describe('turnCredentials', () => {
  it("signs `expiry:userId` as coturn's REST API scheme does (known answer from `openssl dgst -sha1 -hmac`)", () => {
    const turn = {
      uris: ['turn:turn.hearth.test:3478?transport=udp'],
      sharedSecret: 'north',
      userLifetimeMs: 3_600_000,
    };
    expect(turnCredentials(turn, '@ana:hearth.test', 1_700_000_000_999)).toEqual({
      username: '1700003600:@ana:hearth.test',
      password: 'joe4KXLPGHIyRiKtJ9KO1J9mOGs=',
      uris: ['turn:turn.hearth.test:3478?transport=udp'],
      ttl: 3600,
    });
  });
});
