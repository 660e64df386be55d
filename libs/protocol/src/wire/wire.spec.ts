import {
  DeviceListUpdateEdu,
  DirectToDeviceEdu,
  Edu,
  edu,
  isKnownEduType,
  parseEduContent,
  PresenceEdu,
  presenceEntries,
  ReceiptEdu,
  SigningKeyUpdateEdu,
  TypingEdu,
} from './edus';
import { InviteRequest, MembershipTemplateAnswer, SendJoinAnswer, SendKnockAnswer } from './membership';
import { MatrixErrorAnswer, WellKnownServerAnswer } from './discovery-and-errors';
import { DirectoryAnswer, ProfileAnswer } from './queries';
import { MissingEventsRequest, PduTransactionAnswer, SendTransactionBody, StateIdsAnswer } from './room-reads';
import { NotaryKeysAnswer, OldVerifyKey, ServerKeyDocument } from './server-keys';
import { UserKeysClaimAnswer, UserKeysQueryAnswer } from './user-keys';

/** The spec's own examples (matrix-org/matrix-spec, data/api/server-server) parse; what is not one of them does not. */
describe('the Server-Server API on the wire', () => {
  describe('EDUs', () => {
    it('parses the spec’s m.typing example, and refuses typing that is not a boolean', () => {
      const example = { room_id: '!somewhere:matrix.org', user_id: '@john:matrix.org', typing: true };
      expect(TypingEdu.parse(example)).toEqual(example);
      expect(TypingEdu.safeParse({ ...example, typing: 'yes' }).success).toBe(false);
    });

    it('parses the spec’s m.receipt example, and lets receipt types it does not know pass unparsed', () => {
      const example = {
        '!some_room:example.org': {
          'm.read': { '@john:matrix.org': { event_ids: ['$read_this_event:matrix.org'], data: { ts: 1533358089009 } } },
        },
      };
      expect(ReceiptEdu.parse(example)).toEqual(example);
      const other = { '!room:example.org': { 'org.example.seen': { anything: 1 } } };
      expect(ReceiptEdu.parse(other)).toEqual(other);
      expect(
        ReceiptEdu.safeParse({ '!room:example.org': { 'm.read': { '@john:matrix.org': { event_ids: '$x' } } } })
          .success,
      ).toBe(false);
    });

    it('takes a receipt without data (the spec requires ts; nothing reads it)', () => {
      const receipt = { '!room:example.org': { 'm.read': { '@john:matrix.org': { event_ids: ['$e'] } } } };
      expect(ReceiptEdu.parse(receipt)).toEqual(receipt);
    });

    it('parses the spec’s m.device_list_update example, with prev_id optional', () => {
      const example = {
        user_id: '@john:example.com',
        device_id: 'QBUAZIFURK',
        device_display_name: 'Mobile',
        stream_id: 6,
        prev_id: [5],
        deleted: false,
      };
      expect(DeviceListUpdateEdu.parse(example)).toEqual(example);
      const { prev_id: _prev, ...first } = example;
      expect(DeviceListUpdateEdu.safeParse(first).success).toBe(true);
      expect(DeviceListUpdateEdu.safeParse({ ...example, stream_id: '6' }).success).toBe(false);
    });

    it('parses the spec’s m.signing_key_update example', () => {
      const example = {
        user_id: '@alice:example.com',
        master_key: {
          user_id: '@alice:example.com',
          usage: ['master'],
          keys: { 'ed25519:base64+master+public+key': 'base64+master+public+key' },
        },
        self_signing_key: {
          user_id: '@alice:example.com',
          usage: ['self_signing'],
          keys: { 'ed25519:base64+self+signing+public+key': 'base64+self+signing+master+public+key' },
          signatures: { '@alice:example.com': { 'ed25519:base64+master+public+key': 'signature+of+self+signing+key' } },
        },
      };
      expect(SigningKeyUpdateEdu.parse(example)).toEqual(example);
    });

    it('parses the spec’s m.direct_to_device example, and refuses an empty message ID', () => {
      const example = {
        sender: '@john:example.com',
        type: 'm.room_key_request',
        message_id: 'hiezohf6Hoo7kaev',
        messages: {
          '@alice:example.org': {
            IWHQUZUIAH: {
              algorithm: 'm.megolm.v1.aes-sha2',
              room_id: '!Cuyf34gef24t:localhost',
              session_id: 'X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cKQ',
              session_key: 'AgAAAADxKHa9uFxcXzwYoNueL5Xqi69IkD4sni8LlfJL7qNBEY...',
            },
          },
        },
      };
      expect(DirectToDeviceEdu.parse(example)).toEqual(example);
      expect(DirectToDeviceEdu.safeParse({ ...example, message_id: '' }).success).toBe(false);
    });

    it('keeps unknown fields, for whoever reads them later', () => {
      const typing = { room_id: '!r:x', user_id: '@u:x', typing: false, 'org.example.extra': 1 };
      expect(TypingEdu.parse(typing)).toEqual(typing);
    });

    it('builds an EDU with edu() that its own schema then parses', () => {
      const built = edu('m.typing', { room_id: '!r:x', user_id: '@u:x', typing: true });
      const envelope = Edu.parse(built);
      expect(envelope.edu_type).toBe('m.typing');
      expect(isKnownEduType(envelope.edu_type) && parseEduContent('m.typing', envelope.content).success).toBe(true);
    });

    it('parses the spec example m.presence EDU, and drops malformed entries one by one', () => {
      const example = {
        push: [
          {
            currently_active: true,
            last_active_ago: 5000,
            presence: 'online',
            status_msg: 'Making cupcakes',
            user_id: '@john:matrix.org',
          },
        ],
      };
      const parsed = parseEduContent('m.presence', edu('m.presence', example).content);
      expect(parsed.success && parsed.edu.type === 'm.presence' && presenceEntries(parsed.edu.content)).toEqual(
        example.push,
      );
      const mixed = PresenceEdu.parse({ push: [{ user_id: '@a:x', presence: 'asleep' }, 7, example.push[0]] });
      expect(presenceEntries(mixed)).toEqual(example.push);
      expect(PresenceEdu.safeParse({ push: 'online' }).success).toBe(false);
    });

    it('tells the EDU types it understands from the rest', () => {
      expect(isKnownEduType('m.receipt')).toBe(true);
      expect(isKnownEduType('m.presence')).toBe(true);
      expect(isKnownEduType('org.example.unknown')).toBe(false);
      expect(isKnownEduType('toString')).toBe(false);
    });

    it('refuses an envelope without a type or with content that is not an object', () => {
      expect(Edu.safeParse({ content: {} }).success).toBe(false);
      expect(Edu.safeParse({ edu_type: 'm.typing', content: [] }).success).toBe(false);
      expect(Edu.safeParse('m.typing').success).toBe(false);
    });
  });

  describe('transactions and room reads', () => {
    it('parses the spec’s transaction example, and keeps its limits of 50 PDUs and 100 EDUs', () => {
      const example = {
        origin: 'matrix.org',
        origin_server_ts: 1234567890,
        pdus: [{ type: 'm.room.minimal_pdu', room_id: '!somewhere:example.org', content: {} }],
      };
      expect(SendTransactionBody.parse(example)).toEqual({ ...example, edus: [] });
      expect(SendTransactionBody.safeParse({ ...example, pdus: Array(51).fill({}) }).success).toBe(false);
      expect(PduTransactionAnswer.parse(example)).toEqual(example);
    });

    it('reads /event and /backfill answers for their PDUs alone', () => {
      expect(PduTransactionAnswer.parse({ pdus: [] })).toEqual({ pdus: [] });
      expect(PduTransactionAnswer.safeParse({ pdu: {} }).success).toBe(false);
    });

    it('wants both lists of a state_ids answer, of strings', () => {
      expect(StateIdsAnswer.parse({ pdu_ids: ['$a'], auth_chain_ids: [] })).toEqual({
        pdu_ids: ['$a'],
        auth_chain_ids: [],
      });
      expect(StateIdsAnswer.safeParse({ pdu_ids: ['$a'] }).success).toBe(false);
      expect(StateIdsAnswer.safeParse({ pdu_ids: [1], auth_chain_ids: [] }).success).toBe(false);
    });

    it('fills get_missing_events’ defaults and needs a latest event', () => {
      expect(MissingEventsRequest.parse({ latest_events: ['$e'] })).toEqual({
        earliest_events: [],
        latest_events: ['$e'],
        limit: 10,
        min_depth: 0,
      });
      expect(MissingEventsRequest.safeParse({ latest_events: [] }).success).toBe(false);
    });
  });

  describe('joining, knocking, inviting', () => {
    it('takes a template without room_version (servers from before room versions: version 1)', () => {
      const template = MembershipTemplateAnswer.parse({ event: { type: 'm.room.member', content: { a: 1 } } });
      expect(template.room_version).toBeUndefined();
      expect(template.event.content).toEqual({ a: 1 });
    });

    it('keeps a template’s content only when it is an object, and refuses a template without an event', () => {
      expect(MembershipTemplateAnswer.parse({ event: { content: 'x' } }).event.content).toBeUndefined();
      expect(MembershipTemplateAnswer.safeParse({ room_version: '10' }).success).toBe(false);
      expect(MembershipTemplateAnswer.safeParse({ room_version: '10', event: [] }).success).toBe(false);
    });

    it('wants send_join’s state and auth chain', () => {
      expect(SendJoinAnswer.safeParse({ state: [], auth_chain: [] }).success).toBe(true);
      expect(SendJoinAnswer.safeParse({ state: [] }).success).toBe(false);
    });

    it('reads send_knock’s knock_room_state, or knock_state_events from older Synapse, without non-objects', () => {
      const create = { type: 'm.room.create', sender: '@c:x', state_key: '', content: {} };
      expect(SendKnockAnswer.parse({ knock_room_state: [create, 'junk'] })).toEqual({ knock_room_state: [create] });
      expect(SendKnockAnswer.parse({ knock_state_events: [create] })).toEqual({ knock_room_state: [create] });
      expect(SendKnockAnswer.parse({})).toEqual({ knock_room_state: [] });
    });

    it('takes at most 50 stripped state events with an invite and leaves non-objects out', () => {
      const invite = { room_version: '10', event: {}, invite_room_state: [{ type: 'm.room.name' }, 7] };
      expect(InviteRequest.parse(invite).invite_room_state).toEqual([{ type: 'm.room.name' }]);
      expect(InviteRequest.parse({ room_version: '10', event: {} }).invite_room_state).toEqual([]);
      expect(InviteRequest.safeParse({ ...invite, invite_room_state: Array(51).fill({}) }).success).toBe(false);
    });
  });

  describe('queries', () => {
    it('leaves out profile fields of the wrong type instead of refusing the profile', () => {
      expect(ProfileAnswer.parse({ displayname: 'John Doe', avatar_url: 'mxc://matrix.org/MyC00lAvatar' })).toEqual({
        displayname: 'John Doe',
        avatar_url: 'mxc://matrix.org/MyC00lAvatar',
      });
      expect(ProfileAnswer.parse({ displayname: 5, avatar_url: null })).toEqual({
        displayname: undefined,
        avatar_url: undefined,
      });
    });

    it('parses the spec’s directory example, leaves out what is not a server name, and needs a room ID', () => {
      const example = {
        room_id: '!roomid1234:example.org',
        servers: ['example.org', 'example.com', 'another.example.com:8449'],
      };
      expect(DirectoryAnswer.parse(example)).toEqual(example);
      expect(DirectoryAnswer.parse({ room_id: '!r:x', servers: ['ok.example', 7, 'not a name'] }).servers).toEqual([
        'ok.example',
      ]);
      expect(DirectoryAnswer.parse({ room_id: '!r:x' }).servers).toEqual([]);
      expect(DirectoryAnswer.safeParse({ room_id: '#alias:x', servers: [] }).success).toBe(false);
    });
  });

  describe('discovery and errors', () => {
    it('reads the spec’s .well-known example, and nothing that is not a server name', () => {
      expect(WellKnownServerAnswer.parse({ 'm.server': 'delegated.example.com:1234' })).toEqual({
        'm.server': 'delegated.example.com:1234',
      });
      expect(WellKnownServerAnswer.safeParse({ 'm.server': 'not a name' }).success).toBe(false);
      expect(WellKnownServerAnswer.safeParse({}).success).toBe(false);
    });

    it('reads a peer’s error answer, a field of the wrong type as absent', () => {
      expect(MatrixErrorAnswer.parse({ errcode: 'M_FORBIDDEN', error: 'no' })).toEqual({
        errcode: 'M_FORBIDDEN',
        error: 'no',
      });
      expect(MatrixErrorAnswer.parse({ errcode: 403, error: null })).toEqual({ errcode: undefined, error: undefined });
    });
  });

  describe('keys', () => {
    it('parses the spec’s server key example, its old key included', () => {
      const example = {
        server_name: 'example.org',
        verify_keys: { 'ed25519:abc123': { key: 'VGhpcyBzaG91bGQgYmUgYSByZWFsIGVkMjU1MTkgcGF5bG9hZA' } },
        old_verify_keys: {
          'ed25519:0ldk3y': {
            expired_ts: 1532645052628,
            key: 'VGhpcyBzaG91bGQgYmUgeW91ciBvbGQga2V5J3MgZWQyNTUxOSBwYXlsb2FkLg',
          },
        },
        signatures: { 'example.org': { 'ed25519:auto2': 'VGhpcyBzaG91bGQgYWN0dWFsbHkgYmUgYSBzaWduYXR1cmU' } },
        valid_until_ts: 1652262000000,
      };
      expect(ServerKeyDocument.parse(example)).toEqual(example);
      expect(OldVerifyKey.safeParse(example.old_verify_keys['ed25519:0ldk3y']).success).toBe(true);
      expect(ServerKeyDocument.safeParse({ ...example, valid_until_ts: 'soon' }).success).toBe(false);
      expect(NotaryKeysAnswer.parse({ server_keys: [example] })).toEqual({ server_keys: [example] });
    });

    it('reads user keys answers with their maps defaulting to empty', () => {
      expect(UserKeysQueryAnswer.parse({})).toEqual({ device_keys: {} });
      expect(UserKeysClaimAnswer.parse({})).toEqual({ one_time_keys: {} });
      expect(UserKeysClaimAnswer.safeParse({ one_time_keys: { '@a:x': 'no' } }).success).toBe(false);
    });
  });
});
