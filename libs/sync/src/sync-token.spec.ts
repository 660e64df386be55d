import { decodeSyncToken, encodeSyncToken } from './sync-token';

describe('sync tokens', () => {
  it('round-trips and starts with the event position, as /messages tokens do', () => {
    const token = {
      events: 42,
      accountData: 7,
      receipts: 3,
      typing: 9,
      pushRules: 2,
      toDevice: 5,
      deviceLists: 4,
      presence: 6,
    };
    expect(encodeSyncToken(token)).toBe('s42_7_3_9_2_5_4_6');
    expect(decodeSyncToken('s42_7_3_9_2_5_4_6')).toEqual(token);
  });

  it('reads missing parts of a shorter token as 0', () => {
    expect(decodeSyncToken('s17')).toEqual({
      events: 17,
      accountData: 0,
      receipts: 0,
      typing: 0,
      pushRules: 0,
      toDevice: 0,
      deviceLists: 0,
      presence: 0,
    });
  });

  it.each(['', 's', 'x1_2', 's1__2', 's-1', 's1_2_x', `s${'9'.repeat(17)}`])(
    'refuses %p with M_INVALID_PARAM',
    (text) => {
      expect(() => decodeSyncToken(text)).toThrow(expect.objectContaining({ errcode: 'M_INVALID_PARAM' }));
    },
  );
});
