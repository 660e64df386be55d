import { combineRequiredState, parseRequiredState, selectorFor, wantsState } from './required-state';

const ME = '@me:example.org';

describe('required_state', () => {
  it('reads the [type, state_key] pairs, with $LAZY turning lazy members on', () => {
    const state = parseRequiredState([
      ['m.room.create', ''],
      ['m.room.member', '$LAZY'],
    ]);
    expect(state).toEqual({ include: [['m.room.create', '']], exclude: [], lazyMembers: true });
  });

  it("reads MSC4186's later {include, exclude, lazy_members}, a missing field a wildcard", () => {
    const state = parseRequiredState({ include: [{}], exclude: [{ type: 'm.room.create' }], lazy_members: true });
    expect(state).toEqual({ include: [['*', '*']], exclude: [['m.room.create', '*']], lazyMembers: true });
    expect(wantsState(state, 'm.room.name', '', ME)).toBe(true);
    expect(wantsState(state, 'm.room.create', '', ME)).toBe(false);
  });

  it('matches wildcards in type and state key, and $ME as the user', () => {
    const state = parseRequiredState([
      ['m.room.member', '$ME'],
      ['*', 'shared'],
      ['org.example', '*'],
    ]);
    expect(wantsState(state, 'm.room.member', ME, ME)).toBe(true);
    expect(wantsState(state, 'm.room.member', '@other:example.org', ME)).toBe(false);
    expect(wantsState(state, 'anything', 'shared', ME)).toBe(true);
    expect(wantsState(state, 'org.example', 'x', ME)).toBe(true);
    expect(wantsState(state, 'm.room.name', '', ME)).toBe(false);
  });

  it('selects every member for ["*", "*"] only when not lazy, and the lazy users by name', () => {
    const all = selectorFor(parseRequiredState([['*', '*']]), ME, []);
    expect(all).toMatchObject({ allButMembers: true, allMembers: true });
    const lazy = selectorFor(
      parseRequiredState([
        ['*', '*'],
        ['m.room.member', '$LAZY'],
      ]),
      ME,
      ['@sender:example.org'],
    );
    expect(lazy).toMatchObject({
      allButMembers: true,
      allMembers: false,
      pairs: [['m.room.member', '@sender:example.org']],
    });
    expect(selectorFor(parseRequiredState([['m.room.member', '$ME']]), ME, []).pairs).toEqual([['m.room.member', ME]]);
  });

  it('combines configs into their superset', () => {
    const combined = combineRequiredState([
      parseRequiredState([['m.room.name', '']]),
      parseRequiredState([
        ['m.room.topic', ''],
        ['m.room.member', '$LAZY'],
      ]),
    ]);
    expect(wantsState(combined, 'm.room.name', '', ME)).toBe(true);
    expect(wantsState(combined, 'm.room.topic', '', ME)).toBe(true);
    expect(combined.lazyMembers).toBe(true);
  });
});
