import { createHash } from 'node:crypto';
import { membershipsFingerprint, type MembershipRow } from '../storage/sync.repository';
import { MembershipCache } from './membership-cache';

const row = (roomId: string, eventId: string, membership = 'join'): MembershipRow => ({
  roomId,
  roomVersion: '10',
  membership,
  position: 1,
  eventId,
});

/** Membership rows kept under their own fingerprint, served only when a sync reads the same one. */
describe('MembershipCache', () => {
  const ana = '@ana:hearth.test';

  it('answers only for the fingerprint of the rows it keeps, whatever their order', () => {
    const cache = new MembershipCache();
    const rows = [row('!b:hearth.test', '$2'), row('!a:hearth.test', '$1')];
    cache.set(ana, rows);
    expect(cache.get(ana, membershipsFingerprint([...rows].reverse()))).toEqual(rows);
    // Another event in one room (a leave, a rejoin, a state reset) is another fingerprint.
    expect(cache.get(ana, membershipsFingerprint([row('!b:hearth.test', '$3'), rows[1]!]))).toBeUndefined();
    expect(cache.get('@bea:hearth.test', membershipsFingerprint(rows))).toBeUndefined();
  });

  it('fingerprints rooms and events as the database does: md5 of "room event" pairs by room, space-separated', () => {
    // SyncRepository.syncHeads computes the same in SQL; a mismatch would only ever miss.
    const expected = createHash('md5').update('!a:hearth.test $1 !b:hearth.test $2').digest('hex');
    expect(membershipsFingerprint([row('!b:hearth.test', '$2'), row('!a:hearth.test', '$1')])).toBe(expected);
    expect(membershipsFingerprint([])).toBe(createHash('md5').update('').digest('hex'));
  });
});
