import {
  addContentHash,
  checkContentHash,
  computeContentHash,
  computeEventId,
  computeReferenceHash,
  signEvent,
  signNewEvent,
} from './event-hashes';
import type { JsonObject } from './json';
import { getRoomVersion, type RoomVersion } from './room-versions';
import { signingKeyFromSeed } from './signing-key';
import { verifyJsonSignature } from './signing';
import { redactEvent } from './redaction';

const key = signingKeyFromSeed('1', 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');
const version = (id: string) => getRoomVersion(id) as RoomVersion;

describe('event signing (spec appendix "Event Signing" vectors)', () => {
  it('hashes and signs the minimal event', () => {
    const event: JsonObject = {
      room_id: '!x:domain',
      sender: '@a:domain',
      origin: 'domain',
      origin_server_ts: 1000000,
      signatures: {},
      hashes: {},
      type: 'X',
      content: {},
      prev_events: [],
      auth_events: [],
      depth: 3,
      unsigned: { age_ts: 1000000 },
    };
    const signed = signEvent(event, 'domain', key, version('1'));
    expect(signed.hashes).toEqual({ sha256: '5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos' });
    expect(signed.signatures).toEqual({
      domain: { 'ed25519:1': 'KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg' },
    });
    expect(signed.unsigned).toEqual({ age_ts: 1000000 });
  });

  it('hashes the full event but signs its redacted form', () => {
    const event: JsonObject = {
      content: { body: 'Here is the message content' },
      event_id: '$0:domain',
      origin: 'domain',
      origin_server_ts: 1000000,
      type: 'm.room.message',
      room_id: '!r:domain',
      sender: '@u:domain',
      signatures: {},
      unsigned: { age_ts: 1000000 },
    };
    const signed = signEvent(event, 'domain', key, version('1'));
    expect(signed.hashes).toEqual({ sha256: 'onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g' });
    expect(signed.signatures).toEqual({
      domain: { 'ed25519:1': 'Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA' },
    });
    expect(signed.content).toEqual({ body: 'Here is the message content' });
    // The signature still verifies once the event has been redacted.
    expect(verifyJsonSignature(redactEvent(signed, version('1')), 'domain', 'ed25519:1', key.publicKey)).toBe(true);
  });
});

describe('content hashes', () => {
  it('ignores unsigned, signatures and hashes, and detects tampering', () => {
    const event = addContentHash({ type: 'm.room.message', content: { body: 'hi' }, unsigned: { age: 1 } });
    expect(checkContentHash(event)).toBe(true);
    expect(checkContentHash({ ...event, unsigned: { age: 2 }, signatures: { x: {} } })).toBe(true);
    expect(checkContentHash({ ...event, content: { body: 'changed' } })).toBe(false);
    expect(checkContentHash({ type: 'x' })).toBe(false);
    expect(computeContentHash({})).toBe('RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o');
  });
});

describe('event IDs', () => {
  const event: JsonObject = {
    type: 'm.room.message',
    room_id: '!r:domain',
    sender: '@u:domain',
    content: { body: 'x' },
    depth: 1,
    origin_server_ts: 1,
    hashes: { sha256: 'abc' },
    prev_events: [],
    auth_events: [],
  };

  it('are the reference hash, standard base64 in v3 and URL-safe from v4', () => {
    const hash = Buffer.from(computeReferenceHash(event, version('3')));
    expect(computeEventId(event, version('3'))).toBe(`$${hash.toString('base64').replace(/=+$/, '')}`);
    expect(computeEventId(event, version('4'))).toBe(`$${hash.toString('base64url')}`);
    expect(computeEventId(event, version('10'))).toMatch(/^\$[A-Za-z0-9_-]{43}$/);
  });

  it('do not change when content is redacted or unsigned data is added', () => {
    const id = computeEventId(event, version('10'));
    expect(
      computeEventId({ ...event, content: {}, unsigned: { age: 5 }, signatures: { x: { y: 'z' } } }, version('10')),
    ).toBe(id);
    expect(computeEventId({ ...event, depth: 2 }, version('10'))).not.toBe(id);
  });

  it('of a new event signed in one pass are those of signing it and hashing the result, in every version from 3', () => {
    const draft: JsonObject = {
      type: 'm.room.member',
      room_id: '!r:domain',
      sender: '@u:domain',
      state_key: '@u:domain',
      content: { membership: 'join', displayname: 'U', join_authorised_via_users_server: '@a:domain' },
      depth: 4,
      origin_server_ts: 1,
      prev_events: ['$p'],
      auth_events: ['$a', '$b'],
      unsigned: { age: 5 },
    };
    for (const id of ['3', '4', '6', '9', '10', '11', '12']) {
      const signed = signEvent(draft, 'domain', key, version(id));
      expect(signNewEvent(draft, 'domain', key, version(id))).toEqual({
        event: signed,
        eventId: computeEventId(signed, version(id)),
      });
    }
  });

  it('are refused for room versions that carry their own', () => {
    expect(() => computeEventId(event, version('1'))).toThrow(/carry their own event_id/);
  });
});
