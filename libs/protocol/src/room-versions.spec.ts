import { DEFAULT_ROOM_VERSION, getRoomVersion, SUPPORTED_ROOM_VERSIONS } from './room-versions';

describe('room version table', () => {
  const v = (id: string) => getRoomVersion(id)!;

  it('supports 6 to 12 and creates 10 by default', () => {
    expect(SUPPORTED_ROOM_VERSIONS).toEqual(['6', '7', '8', '9', '10', '11', '12']);
    expect(DEFAULT_ROOM_VERSION).toBe('10');
    expect(getRoomVersion('13')).toBeUndefined();
    expect(getRoomVersion('org.example.custom')).toBeUndefined();
  });

  it.each([
    ['knockJoinRule', ['7', '8', '9', '10', '11', '12']],
    ['restrictedJoinRule', ['8', '9', '10', '11', '12']],
    ['knockRestrictedJoinRule', ['10', '11', '12']],
    ['enforceIntegerPowerLevels', ['10', '11', '12']],
    ['implicitRoomCreator', ['11', '12']],
    ['roomIdFromCreateEvent', ['12']],
    ['creatorPrivileges', ['12']],
    ['strictCanonicalJson', ['6', '7', '8', '9', '10', '11', '12']],
    ['enforceKeyValidity', ['5', '6', '7', '8', '9', '10', '11', '12']],
    ['specialCasedAliasesAuth', ['1', '2', '3', '4', '5']],
  ] as const)('%s holds exactly for versions %j', (flag, versions) => {
    const holding = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'].filter((id) => v(id)[flag]);
    expect(holding).toEqual(versions);
  });

  it('names the event ID format and state resolution of each version', () => {
    expect(['1', '2', '3', '4', '12'].map((id) => v(id).eventIdFormat)).toEqual(['v1', 'v1', 'v3', 'v4', 'v4']);
    expect(['1', '2', '11', '12'].map((id) => v(id).stateResolution)).toEqual(['v1', 'v2', 'v2', 'v2.1']);
  });
});
