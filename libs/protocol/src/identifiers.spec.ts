import {
  isValidEventId,
  isValidRoomAlias,
  isValidRoomId,
  isValidUserId,
  isValidUserLocalpart,
  parseUserId,
} from './identifiers';
import { isValidServerName, parseServerName } from './server-name';

describe('server names (spec appendix "Server Name")', () => {
  it.each([
    ['matrix.org', { host: 'matrix.org', port: undefined, kind: 'dns' }],
    ['matrix.org:8888', { host: 'matrix.org', port: 8888, kind: 'dns' }],
    ['1.2.3.4', { host: '1.2.3.4', port: undefined, kind: 'ipv4' }],
    ['1.2.3.4:1234', { host: '1.2.3.4', port: 1234, kind: 'ipv4' }],
    ['[1234:5678::abcd]', { host: '1234:5678::abcd', port: undefined, kind: 'ipv6' }],
    ['[1234:5678::abcd]:5678', { host: '1234:5678::abcd', port: 5678, kind: 'ipv6' }],
    ['[::1]:8448', { host: '::1', port: 8448, kind: 'ipv6' }],
    ['localhost:8008', { host: 'localhost', port: 8008, kind: 'dns' }],
    ['a-b.c-d.example', { host: 'a-b.c-d.example', port: undefined, kind: 'dns' }],
  ])('parses %p', (name, expected) => {
    expect(parseServerName(name)).toEqual(expected);
  });

  it.each([
    ['', 'empty'],
    ['matrix.org:', 'empty port'],
    ['matrix.org:123456', 'six-digit port'],
    ['matrix.org:65536', 'port above 65535'],
    ['matrix.org:80a', 'non-digit port'],
    ['under_score.org', 'underscore'],
    ['space here.org', 'space'],
    ['1.2.3.256', 'IPv4 octet above 255'],
    ['[1234:5678::abcd', 'unclosed IPv6'],
    ['[not-v6]:80', 'not an IPv6 address'],
    ['[::1]x', 'text after the IPv6 literal'],
    ['1234:5678::abcd', 'IPv6 without brackets'],
    ['a'.repeat(256), 'longer than 255'],
    ['exa\u00e9mple.org', 'non-ASCII'],
  ])('refuses %p (%s)', (name) => {
    expect(isValidServerName(name)).toBe(false);
  });
});

describe('user IDs (spec appendix "User Identifiers")', () => {
  it('accepts the localpart grammar for new accounts', () => {
    for (const localpart of ['ana', 'a.b_c=d-e/f+g', '0123', 'x']) expect(isValidUserLocalpart(localpart)).toBe(true);
    for (const localpart of ['', 'Ana', 'a b', 'a:b', 'a*b', 'é', 'a#b'])
      expect(isValidUserLocalpart(localpart)).toBe(false);
  });

  it('parses user IDs, strictly for new accounts and leniently for historical ones', () => {
    expect(parseUserId('@ana:work.example')).toEqual({ localpart: 'ana', serverName: 'work.example' });
    expect(parseUserId('@ana:[::1]:8448')).toEqual({ localpart: 'ana', serverName: '[::1]:8448' });
    expect(isValidUserId('@Ana:work.example')).toBe(true);
    expect(isValidUserId('@Ana:work.example', { strict: true })).toBe(false);
    expect(isValidUserId('@ana:work.example', { strict: true })).toBe(true);
  });

  it.each(['ana:work.example', '@ana', '@ana:bad_server', '@a\0b:x.org', `@${'a'.repeat(250)}:x.org`])(
    'refuses %p',
    (id) => {
      expect(isValidUserId(id)).toBe(false);
    },
  );

  it('counts the 255 limit in bytes', () => {
    const fits = `@${'a'.repeat(255 - '@:x.org'.length)}:x.org`;
    expect(fits.length).toBe(255);
    expect(isValidUserId(fits)).toBe(true);
    expect(isValidUserId(`@${'é'.repeat(124)}:x.org`)).toBe(true); // 255 bytes
    expect(isValidUserId(`@${'é'.repeat(125)}:x.org`)).toBe(false); // 131 characters, 257 bytes
  });
});

describe('room IDs, aliases and event IDs', () => {
  it('accepts room IDs with a server (v1–11) and hash room IDs (v12)', () => {
    expect(isValidRoomId('!abcDEF123:work.example')).toBe(true);
    expect(isValidRoomId(`!${'A'.repeat(43)}`)).toBe(true);
    expect(isValidRoomId('!nodomain')).toBe(false);
    expect(isValidRoomId('#alias:work.example')).toBe(false);
  });

  it('accepts aliases with a server only', () => {
    expect(isValidRoomAlias('#team:work.example')).toBe(true);
    expect(isValidRoomAlias('#team')).toBe(false);
    expect(isValidRoomAlias(`#${'a'.repeat(250)}:x.org`)).toBe(false);
  });

  it('accepts event IDs of every room version', () => {
    expect(isValidEventId('$0:domain')).toBe(true);
    expect(isValidEventId(`$${'a'.repeat(43)}`)).toBe(true);
    expect(isValidEventId('$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk')).toBe(true);
    expect(isValidEventId('$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg')).toBe(true);
    expect(isValidEventId('$short')).toBe(false);
  });
});
