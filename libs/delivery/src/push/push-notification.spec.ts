import type { Pusher } from './pusher.repository';
import { notifyBody } from './push-notification';

/** The spec Push Gateway API's example notification, rebuilt from what Hearth stores. */
describe('notifyBody', () => {
  const pusher = (data: Record<string, unknown>): Pusher => ({
    id: 1,
    userId: '@bea:matrix.org',
    appId: 'org.matrix.matrixConsole.ios',
    pushkey: 'V2h5IG9uIGVhcnRoIGRpZCB5b3UgZGVjb2RlIHRoaXM/',
    kind: 'http',
    appDisplayName: 'Console',
    deviceDisplayName: 'Phone',
    profileTag: null,
    lang: 'en',
    data: { url: 'https://push.example/_matrix/push/v1/notify', ...data },
    pushkeyTs: 12_345_678_000,
  });
  const push = {
    kind: 'event' as const,
    id: 7,
    pusherId: 1,
    roomId: '!slw48wfj34rtnrf:example.com',
    eventId: '$3957tyerfgewrf384',
    streamOrdering: 42,
    highlight: false,
    createdTs: 0,
  };
  const event = {
    type: 'm.room.message',
    sender: '@exampleuser:matrix.org',
    content: { msgtype: 'm.text', body: "I'm floating in a most peculiar way." },
    roomName: 'Mission Control',
    senderDisplayName: 'Major Tom',
  };

  it('sends only IDs, counts and the device when the pusher gives no format', () => {
    expect(notifyBody(pusher({}), push, 2, event)).toEqual({
      notification: {
        event_id: '$3957tyerfgewrf384',
        room_id: '!slw48wfj34rtnrf:example.com',
        prio: 'high',
        counts: { unread: 2 },
        devices: [
          {
            app_id: 'org.matrix.matrixConsole.ios',
            pushkey: 'V2h5IG9uIGVhcnRoIGRpZCB5b3UgZGVjb2RlIHRoaXM/',
            pushkey_ts: 12_345_678,
            data: {},
            tweaks: {},
          },
        ],
      },
    });
  });

  it('sends the event, as in the spec example, to a pusher that names another format', () => {
    expect(notifyBody(pusher({ format: 'full' }), { ...push, highlight: true }, 2, event).notification).toEqual({
      event_id: '$3957tyerfgewrf384',
      room_id: '!slw48wfj34rtnrf:example.com',
      type: 'm.room.message',
      sender: '@exampleuser:matrix.org',
      sender_display_name: 'Major Tom',
      room_name: 'Mission Control',
      prio: 'high',
      content: { msgtype: 'm.text', body: "I'm floating in a most peculiar way." },
      counts: { unread: 2 },
      devices: [expect.objectContaining({ data: { format: 'full' }, tweaks: { highlight: true } })],
    });
  });

  it('marks an invite of the user as targeting them, and leaves out a zero count', () => {
    const invite = { type: 'm.room.member', sender: '@ana:example.com', stateKey: '@bea:matrix.org' };
    const body = notifyBody(pusher({ format: 'full' }), push, 0, invite).notification as Record<string, unknown>;
    expect(body).toMatchObject({ user_is_target: true, prio: 'high', counts: {} });
    expect(body.content).toBeUndefined();
  });

  it('sends low priority for what should not wake a phone', () => {
    const notice = { type: 'm.call.hangup', sender: '@ana:example.com', content: {} };
    expect((notifyBody(pusher({}), push, 1, notice).notification as Record<string, unknown>).prio).toBe('low');
  });

  it('sends a badge update without an event, its count even at zero', () => {
    expect(
      notifyBody(pusher({ custom: 1 }), { kind: 'badge', id: 8, pusherId: 1, createdTs: 0 }, 0, undefined),
    ).toEqual({
      notification: {
        counts: { unread: 0 },
        devices: [expect.objectContaining({ data: { custom: 1 }, tweaks: {} })],
      },
    });
  });
});
