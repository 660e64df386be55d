"""Drives a Hearth homeserver with matrix-nio (Python), a client library Hearth's tests were not
written against: two users register and log in, share a room, exchange plain messages, list their
devices, upload, query and claim keys, and exchange messages in an encrypted room that each
decrypts. Prints one line a step; on the first failure prints what failed and exits 1.

Run with Debian's interpreter, where python3-matrix-nio and python3-olm are installed:
    /usr/bin/python3 test/clients/nio_scenario.py <homeserver URL>
"""

import asyncio
import importlib.metadata
import logging
import sys
import tempfile
import time
import traceback
import uuid

import nio
from nio import AsyncClient, AsyncClientConfig
from nio.responses import WhoamiError, WhoamiResponse  # not exported by nio 0.20's package
from nio.store import SqliteStore

WAIT_SECONDS = 20
PASSWORD = "nio-scenario-password"


class StepFailed(Exception):
    pass


def ok(message):
    print(f"ok   {message}", flush=True)


def expect(condition, message):
    if not condition:
        raise StepFailed(message)


def expect_response(response, kind, what):
    """nio answers errors as values, not exceptions: anything but `kind` fails the step."""
    if not isinstance(response, kind):
        http_status = getattr(getattr(response, "transport_response", None), "status", "?")
        errcode = getattr(response, "status_code", None) or "no errcode"
        detail = getattr(response, "message", None) or response
        raise StepFailed(f"{what}: expected {kind.__name__}, got {type(response).__name__} (HTTP {http_status}, {errcode}): {detail}")
    return response


def new_client(url, user, store_dir):
    config = AsyncClientConfig(encryption_enabled=True, store=SqliteStore, store_sync_tokens=True)
    return AsyncClient(url, user, store_path=store_dir, config=config)


async def sync_until(client, what, found):
    """Syncs (long-polling briefly) until found(response) returns something truthy."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        response = expect_response(await client.sync(timeout=1000), nio.SyncResponse, f"sync while waiting for {what}")
        value = found(response)
        if value:
            return value
        if time.monotonic() > deadline:
            raise StepFailed(f"timed out after {WAIT_SECONDS} s waiting for {what}")


def timeline_event(room_id, predicate):
    def find(response):
        room = response.rooms.join.get(room_id)
        if room is None:
            return None
        return next((event for event in room.timeline.events if predicate(event)), None)

    return find


def text_is(body):
    return lambda event: isinstance(event, nio.RoomMessageText) and event.body == body


def to_device_event(kind):
    return lambda response: next((event for event in response.to_device_events if isinstance(event, kind)), None)


async def verify_interactively(starter, other):
    """nio's SAS flow, driven by hand as nio's sync_forever would: every sync's verification
    events are handled by nio, which queues its answers for send_to_device_messages()."""
    device = starter.device_store[other.user_id][other.device_id]
    expect_response(await starter.start_key_verification(device), nio.ToDeviceResponse, "start key verification")
    start = await sync_until(other, "the verification request", to_device_event(nio.KeyVerificationStart))
    transaction = start.transaction_id
    expect_response(await other.accept_key_verification(transaction), nio.ToDeviceResponse, "accept key verification")
    await sync_until(starter, "the verification accept", to_device_event(nio.KeyVerificationAccept))
    for response in await starter.send_to_device_messages():
        expect_response(response, nio.ToDeviceResponse, "the starter's key")
    await sync_until(other, "the starter's key", to_device_event(nio.KeyVerificationKey))
    for response in await other.send_to_device_messages():
        expect_response(response, nio.ToDeviceResponse, "the other's key")
    await sync_until(starter, "the other's key", to_device_event(nio.KeyVerificationKey))
    emoji = [client.key_verifications[transaction].get_emoji() for client in (starter, other)]
    expect(emoji[0] == emoji[1], f"the two sides show different emoji: {emoji}")
    for client in (starter, other):
        expect_response(await client.confirm_short_auth_string(transaction), nio.ToDeviceResponse, f"{client.user_id} confirms")
    for client in (starter, other):
        await sync_until(client, f"{client.user_id} to receive the other's MAC", to_device_event(nio.KeyVerificationMac))


async def register(url, localpart, store_dir):
    client = new_client(url, "", store_dir)
    try:
        # nio sends its dummy auth in the first request, without a session.
        response = await client.register(localpart, PASSWORD, device_name="nio registration")
        expect_response(response, nio.RegisterResponse, f"register {localpart}")
        expect(response.user_id.startswith(f"@{localpart}:"), f"register {localpart}: user_id {response.user_id}")
        ok(f"register {response.user_id} (device {response.device_id})")
        return response
    finally:
        await client.close()


async def login(url, user_id, store_dir, device_name="nio login"):
    client = new_client(url, user_id, store_dir)
    response = expect_response(await client.login(PASSWORD, device_name=device_name), nio.LoginResponse, f"login {user_id}")
    expect(client.olm is not None, f"login {user_id}: nio did not load its olm account")
    ok(f"login {user_id} (device {response.device_id})")
    return client


async def main(url):
    logging.disable(logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix="nio-scenario-") as tmp:
        suffix = uuid.uuid4().hex[:6]
        ana_registered = await register(url, f"nio_ana_{suffix}", tmp)
        bea_registered = await register(url, f"nio_bea_{suffix}", tmp)
        ana = await login(url, ana_registered.user_id, tmp)
        bea = await login(url, bea_registered.user_id, tmp)
        try:
            await scenario(ana, bea, ana_registered, bea_registered, lambda: login(url, bea.user_id, tmp, "nio second login"))
        finally:
            await ana.close()
            await bea.close()


async def scenario(ana, bea, ana_registered, bea_registered, login_bea_again):
    whoami = expect_response(await ana.whoami(), WhoamiResponse, "whoami")
    expect(whoami.user_id == ana.user_id, f"whoami: {whoami.user_id}")
    ok("whoami answers the logged-in user")

    # The device list: the registration's device and the login's, with the names they were given.
    for client, registered in ((ana, ana_registered), (bea, bea_registered)):
        devices = expect_response(await client.devices(), nio.DevicesResponse, f"devices of {client.user_id}")
        names = {device.id: device.display_name for device in devices.devices}
        expect(
            names == {registered.device_id: "nio registration", client.device_id: "nio login"},
            f"devices of {client.user_id}: {names}",
        )
    ok("devices() lists the registration and login devices with their names")

    # Deleting a device goes through user-interactive auth: first the flows, then the password.
    challenge = await bea.delete_devices([bea_registered.device_id])
    expect_response(challenge, nio.DeleteDevicesAuthResponse, "delete devices without auth")
    expect(["m.login.password"] in [flow.get("stages") for flow in challenge.flows], f"delete devices flows: {challenge.flows}")
    auth = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": bea.user_id},
        "password": PASSWORD,
        "session": challenge.session,
    }
    expect_response(await bea.delete_devices([bea_registered.device_id], auth), nio.DeleteDevicesResponse, "delete devices with the password")
    devices = expect_response(await bea.devices(), nio.DevicesResponse, "devices after the deletion")
    expect([device.id for device in devices.devices] == [bea.device_id], f"devices after the deletion: {devices.devices}")
    ok("delete devices: user-interactive auth with the password, the device is gone")

    # Device and one-time keys: nio uploads them after login and until the server holds enough.
    for client in (ana, bea):
        expect(client.should_upload_keys, f"{client.user_id}: nio sees no keys to upload after login")
        while client.should_upload_keys:
            expect_response(await client.keys_upload(), nio.KeysUploadResponse, f"keys upload by {client.user_id}")
        expect(client.olm.account.shared, f"{client.user_id}: device keys not marked as shared")
    ok("keys upload (device keys and one-time keys)")

    # A plain room, an invite and a join.
    alias_localpart = f"nio_{uuid.uuid4().hex[:8]}"
    created = expect_response(
        await ana.room_create(name="nio room", alias=alias_localpart, invite=[bea.user_id]), nio.RoomCreateResponse, "room create"
    )
    room_id = created.room_id
    await sync_until(ana, "ana's sync to show the room", lambda response: room_id in response.rooms.join)
    await sync_until(bea, "bea's sync to show the invite", lambda response: room_id in response.rooms.invite)
    ok(f"room create {room_id}, bea sees the invite")
    expect_response(await bea.join(room_id), nio.JoinResponse, "join")
    await sync_until(
        ana,
        "ana to see bea join",
        timeline_event(room_id, lambda e: isinstance(e, nio.RoomMemberEvent) and e.state_key == bea.user_id and e.membership == "join"),
    )
    expect(ana.rooms[room_id].name == "nio room", f"room name as ana's nio computes it: {ana.rooms[room_id].name}")
    ok("bea joins, ana sees the join")

    # Plain messages both ways, and the sender's own echo carries its transaction ID.
    transaction_id = str(uuid.uuid4())
    sent = expect_response(
        await ana.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": "hello from ana"}, tx_id=transaction_id),
        nio.RoomSendResponse,
        "ana sends a message",
    )
    received = await sync_until(bea, "bea to receive ana's message", timeline_event(room_id, text_is("hello from ana")))
    expect(received.event_id == sent.event_id, f"event ID {received.event_id} differs from the sent {sent.event_id}")
    expect(received.sender == ana.user_id, f"sender {received.sender}")
    echo = await sync_until(ana, "ana's own message in her sync", timeline_event(room_id, text_is("hello from ana")))
    echoed_transaction = echo.source.get("unsigned", {}).get("transaction_id")
    expect(echoed_transaction == transaction_id, f"own echo's unsigned.transaction_id: {echoed_transaction!r}, sent {transaction_id!r}")
    expect_response(
        await bea.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": "hello from bea"}),
        nio.RoomSendResponse,
        "bea sends a message",
    )
    await sync_until(ana, "ana to receive bea's message", timeline_event(room_id, text_is("hello from bea")))
    ok("plain messages both ways via sync; the own echo carries unsigned.transaction_id")

    # History: from the end (nio's start="") and from a sync token (bea's last sync predates her reply).
    def bodies(response):
        return [event.body for event in response.chunk if isinstance(event, nio.RoomMessageText)]

    latest = expect_response(await bea.room_messages(room_id, start="", limit=20), nio.RoomMessagesResponse, "room messages from the end")
    expect(bodies(latest) == ["hello from bea", "hello from ana"], f"/messages from the end: {bodies(latest)}")
    earlier = expect_response(
        await bea.room_messages(room_id, start=bea.next_batch, limit=20), nio.RoomMessagesResponse, "room messages from a sync token"
    )
    expect(bodies(earlier) == ["hello from ana"], f"/messages from bea's sync token: {bodies(earlier)}")
    expect(any(isinstance(e, nio.RoomCreateEvent) for e in earlier.chunk), "/messages from the sync token does not reach m.room.create")
    ok("room messages: history newest first, from the end and from a sync token")

    # A display-name change is a new member event in the next sync, not the room's history again
    # (for the renamed user's own sync above all, whose membership event it is).
    expect_response(await ana.set_displayname("Ana N."), nio.ProfileSetDisplayNameResponse, "set display name")
    for client in (ana, bea):
        renamed = timeline_event(room_id, lambda e: isinstance(e, nio.RoomMemberEvent) and e.content.get("displayname") == "Ana N.")
        room = await sync_until(
            client, f"{client.user_id} to see ana's new display name", lambda response: renamed(response) and response.rooms.join[room_id]
        )
        name = client.rooms[room_id].user_name(ana.user_id)
        expect(name == "Ana N.", f"{client.user_id}'s nio calls ana {name}")
        types = [e.source.get("type") for e in room.timeline.events]
        expect(
            not room.timeline.limited and sent.event_id not in [e.event_id for e in room.timeline.events],
            f"{client.user_id}'s sync after the display-name change resends the room: limited {room.timeline.limited}, events {types}",
        )
    ok("display name change: the member event in the next sync, no history repeated")

    # The rest of the room API a bot or client reaches for, each answered as nio expects.
    calls = [
        ("typing", lambda: ana.room_typing(room_id, True, 5000), nio.RoomTypingResponse),
        ("read receipt", lambda: bea.update_receipt_marker(room_id, sent.event_id), nio.UpdateReceiptMarkerResponse),
        ("read markers", lambda: bea.room_read_markers(room_id, sent.event_id, sent.event_id), nio.RoomReadMarkersResponse),
        ("event", lambda: bea.room_get_event(room_id, sent.event_id), nio.RoomGetEventResponse),
        ("context", lambda: bea.room_context(room_id, sent.event_id), nio.RoomContextResponse),
        ("topic", lambda: ana.update_room_topic(room_id, "nio topic"), nio.RoomPutStateResponse),
        ("state", lambda: bea.room_get_state(room_id), nio.RoomGetStateResponse),
        ("state event", lambda: bea.room_get_state_event(room_id, "m.room.topic"), nio.RoomGetStateEventResponse),
        ("joined members", lambda: bea.joined_members(room_id), nio.JoinedMembersResponse),
        ("joined rooms", lambda: bea.joined_rooms(), nio.JoinedRoomsResponse),
        ("profile", lambda: bea.get_profile(ana.user_id), nio.ProfileGetResponse),
        ("filter", lambda: bea.upload_filter(room={"timeline": {"limit": 5}}), nio.UploadFilterResponse),
        ("push rule", lambda: bea.set_pushrule("global", nio.PushRuleKind.content, "nio", actions=[nio.PushNotify()], pattern="nio"), nio.SetPushRuleResponse),
        ("push rule off", lambda: bea.enable_pushrule("global", nio.PushRuleKind.content, "nio", False), nio.EnablePushRuleResponse),
        ("push rule gone", lambda: bea.delete_pushrule("global", nio.PushRuleKind.content, "nio"), nio.DeletePushRuleResponse),
        ("OpenID token", lambda: bea.get_openid_token(bea.user_id), nio.GetOpenIDTokenResponse),
        ("login flows", lambda: bea.login_info(), nio.LoginInfoResponse),
        ("avatar", lambda: ana.set_avatar(f"mxc://{ana.user_id.split(':', 1)[1]}/nio"), nio.ProfileSetAvatarResponse),
        ("redaction", lambda: ana.room_redact(room_id, sent.event_id, reason="nio"), nio.RoomRedactResponse),
    ]
    for name, call, kind in calls:
        expect_response(await call(), kind, name)
    joined = await bea.joined_members(room_id)
    expect(sorted(member.user_id for member in joined.members) == sorted([ana.user_id, bea.user_id]), f"joined members: {joined.members}")
    # nio 0.20 resolves an alias without an access token, as the spec allows.
    alias = f"#{alias_localpart}:{ana.user_id.split(':', 1)[1]}"
    resolved = expect_response(await bea.room_resolve_alias(alias), nio.RoomResolveAliasResponse, f"resolve {alias}")
    expect(resolved.room_id == room_id, f"{alias} resolves to {resolved.room_id}, not {room_id}")
    topic = await bea.room_get_state_event(room_id, "m.room.topic")
    expect(topic.content == {"topic": "nio topic"}, f"topic state: {topic.content}")
    ok(f"room API: {', '.join(name for name, _, _ in calls)}, alias resolution")

    # An encrypted room: m.room.encryption in the initial state.
    created = expect_response(
        await ana.room_create(
            name="nio secret room",
            invite=[bea.user_id],
            initial_state=[{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}],
        ),
        nio.RoomCreateResponse,
        "encrypted room create",
    )
    secret_id = created.room_id
    await sync_until(bea, "bea's invite to the encrypted room", lambda response: secret_id in response.rooms.invite)
    expect_response(await bea.join(secret_id), nio.JoinResponse, "join the encrypted room")
    await sync_until(
        ana,
        "ana to see bea join the encrypted room",
        timeline_event(secret_id, lambda e: isinstance(e, nio.RoomMemberEvent) and e.state_key == bea.user_id and e.membership == "join"),
    )
    await sync_until(bea, "bea's sync of the encrypted room", lambda response: secret_id in response.rooms.join)
    expect(ana.rooms[secret_id].encrypted and bea.rooms[secret_id].encrypted, "nio does not see the room as encrypted")
    ok(f"encrypted room {secret_id}, bea joined")

    # Keys query: each learns the other's device (the registration's device uploaded no keys, so
    # it is not listed) and trusts it explicitly.
    for client, other in ((ana, bea), (bea, ana)):
        expect(client.should_query_keys, f"{client.user_id}: nio sees no keys to query")
        expect_response(await client.keys_query(), nio.KeysQueryResponse, f"keys query by {client.user_id}")
        devices = client.device_store.active_user_devices(other.user_id)
        ids = sorted(device.id for device in devices)
        expect(ids == [other.device_id], f"{client.user_id} sees {other.user_id}'s devices with keys as {ids}")
        other_key = other.olm.account.identity_keys["ed25519"]
        expect(client.device_store[other.user_id][other.device_id].ed25519 == other_key, "queried ed25519 key differs from the uploaded one")
    ok("keys query: the other user's device with its uploaded keys")

    # Interactive verification (SAS, m.key.verification.* to-device messages): each side verifies
    # the other's device, and both compute the same emoji.
    await verify_interactively(ana, bea)
    for client, other in ((ana, bea), (bea, ana)):
        expect(client.device_store[other.user_id][other.device_id].verified, f"{client.user_id} did not verify {other.device_id}")
    ok("interactive verification (SAS): start, accept, keys, the same emoji, MACs; both devices verified")

    # Keys claim: one one-time key for each of bea's devices.
    missing = ana.get_missing_sessions(secret_id)
    expect(missing == {bea.user_id: [bea.device_id]}, f"missing sessions: {missing}")
    claimed = expect_response(await ana.keys_claim(missing), nio.KeysClaimResponse, "keys claim")
    expect(
        bea.device_id in claimed.one_time_keys.get(bea.user_id, {}),
        f"keys claim: no one-time key for bea's logged-in device: {claimed.one_time_keys} failures {claimed.failures}",
    )
    ok("keys claim: a signed one-time key for bea's device, olm sessions created")

    # Encrypted messages both ways, each decrypted by the other.
    for sender, receiver, body in ((ana, bea, "secret from ana"), (bea, ana, "secret from bea")):
        if sender.should_query_keys:
            expect_response(await sender.keys_query(), nio.KeysQueryResponse, f"keys query by {sender.user_id}")
        expect_response(
            await sender.room_send(secret_id, "m.room.message", {"msgtype": "m.text", "body": body}),
            nio.RoomSendResponse,
            f"{sender.user_id} sends an encrypted message",
        )

        def decrypted_or_not(response, body=body):
            room = response.rooms.join.get(secret_id)
            for event in room.timeline.events if room else []:
                if isinstance(event, nio.MegolmEvent):
                    return event  # nio could not decrypt it
                if text_is(body)(event):
                    return event
            return None

        event = await sync_until(receiver, f"{receiver.user_id} to receive {body!r}", decrypted_or_not)
        expect(not isinstance(event, nio.MegolmEvent), f"{receiver.user_id} could not decrypt {body!r}: {event.source}")
        expect(event.decrypted and event.verified, f"{body!r}: decrypted {event.decrypted}, verified {event.verified}")
    ok("encrypted messages both ways, each decrypted by the other (olm to-device room keys, megolm events)")

    # A new device of bea's: ana's sync reports bea's device list changed, ana queries it again,
    # and her next room key reaches the new device too.
    bea2 = await login_bea_again()
    try:
        while bea2.should_upload_keys:
            expect_response(await bea2.keys_upload(), nio.KeysUploadResponse, "keys upload by bea's new device")
        await sync_until(bea2, "the new device's first sync", lambda response: secret_id in response.rooms.join)
        await sync_until(ana, "bea's device list change in ana's sync", lambda response: bea.user_id in response.device_list.changed)
        expect(ana.should_query_keys, "ana's nio does not want to query bea's keys after the change")
        expect_response(await ana.keys_query(), nio.KeysQueryResponse, "keys query after the change")
        ids = sorted(device.id for device in ana.device_store.active_user_devices(bea.user_id))
        expect(ids == sorted([bea.device_id, bea2.device_id]), f"bea's devices after her second login: {ids}")
        for device in ana.device_store.active_user_devices(bea.user_id):
            ana.verify_device(device)
        expect_response(
            await ana.room_send(secret_id, "m.room.message", {"msgtype": "m.text", "body": "secret for both"}),
            nio.RoomSendResponse,
            "ana sends to both of bea's devices",
        )
        for client in (bea, bea2):
            event = await sync_until(
                client,
                f"device {client.device_id} to receive the new secret",
                lambda response: next(
                    (e for e in response.rooms.join.get(secret_id, None).timeline.events if isinstance(e, nio.MegolmEvent) or text_is("secret for both")(e)),
                    None,
                )
                if secret_id in response.rooms.join
                else None,
            )
            expect(not isinstance(event, nio.MegolmEvent), f"device {client.device_id} could not decrypt: {event.source}")
        ok("a second device of bea's: device list change in sync, keys queried again, both devices decrypt")
    finally:
        expect_response(await bea2.logout(), nio.LogoutResponse, "logout of bea's second device")
        await bea2.close()

    # Leaving and forgetting a room.
    expect_response(await bea.room_leave(room_id), nio.RoomLeaveResponse, "leave")
    await sync_until(bea, "bea's sync to show the room left", lambda response: room_id in response.rooms.leave)
    expect_response(await bea.room_forget(room_id), nio.RoomForgetResponse, "forget")
    joined = expect_response(await bea.joined_rooms(), nio.JoinedRoomsResponse, "joined rooms after leaving")
    expect(room_id not in joined.rooms, f"joined rooms after leaving: {joined.rooms}")
    ok("leave and forget a room")

    # Logout ends the access token.
    for client in (ana, bea):
        token = client.access_token
        expect_response(await client.logout(), nio.LogoutResponse, f"logout {client.user_id}")
        client.access_token = token
        after = await client.whoami()
        expect(isinstance(after, WhoamiError) and after.status_code == "M_UNKNOWN_TOKEN", f"whoami after logout: {after}")
        client.access_token = ""
    ok("logout; the old access token is refused with M_UNKNOWN_TOKEN")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in ("matrix-nio", "python-olm"))
    print(f"{versions} against {sys.argv[1]}", flush=True)
    try:
        asyncio.run(main(sys.argv[1]))
    except StepFailed as failure:
        print(f"FAIL {failure}", flush=True)
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - any other error is a failed step too
        traceback.print_exc()
        print(f"FAIL {type(error).__name__}: {error}", flush=True)
        sys.exit(1)
    print("PASS", flush=True)
