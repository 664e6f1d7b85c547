"""The four messenger channels against local stand-ins of their APIs: updates come in through
the real webhook route (signed as the platform signs them), answers go out to the stand-in's
send API and are checked there. Forged, unsigned, too old and replayed deliveries change
nothing; a platform's redelivery hours later is handled, once."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from assistant.channels.guard import GuardedInputChannel
from assistant.channels.messengers.base import NOT_TEXT_ANSWER, split_text
from assistant.channels.messengers.store import SeenIds
from tests.assistant.channels.conftest import BOT_ANSWER, RecordingAgent
from tests.assistant.channels.platforms import Platform, StandInAPI, body_of, platforms

PLATFORMS = platforms()
IDS = [p.name for p in PLATFORMS]


def only(*names: str):
    """Run a test on some messengers only (the others have no such case: not a skip)."""
    chosen = [p for p in PLATFORMS if p.name in names]
    return pytest.mark.parametrize(
        "messenger", chosen, ids=[p.name for p in chosen], indirect=True
    )


@pytest.fixture
async def api():
    stand_in = await StandInAPI().start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture(params=PLATFORMS, ids=IDS)
async def messenger(request, serve, api):
    """(platform, post(update, headers=None), agent, api, channel) for one served messenger."""
    platform: Platform = request.param
    channel = platform.channel(api.url)
    agent = RecordingAgent()
    url = await serve(channel, agent=agent)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def post(update: dict, headers: dict | None = None, raw: bytes | None = None):
            body = raw if raw is not None else body_of(update)
            signed = platform.sign(body) if headers is None else headers
            return await client.post(
                platform.path, content=body, headers={"Content-Type": "application/json", **signed}
            )

        yield platform, post, agent, api, channel, client


def test_every_messenger_is_guarded() -> None:
    for platform in PLATFORMS:
        assert isinstance(platform.channel("http://x"), GuardedInputChannel)


async def test_a_signed_text_reaches_rasa_and_the_answer_the_platform(messenger) -> None:
    platform, post, agent, api, channel, _client = messenger
    answer = await post(platform.text_update("what's my balance"))
    assert answer.status_code == 200
    [message] = agent.messages
    assert message.sender_id == platform.prefix + platform.user
    assert message.input_channel == platform.name
    assert message.text == "what's my balance"
    assert message.metadata["channel"] == platform.name
    [sent] = platform.sent(api)
    assert (sent["to"], sent["text"]) == (platform.user, BOT_ANSWER)


async def test_card_numbers_are_tokenized_on_every_messenger(messenger, vault) -> None:
    platform, post, agent, _api, _channel, _client = messenger
    await post(platform.text_update("send 20 to 4111 1111 1111 1111"))
    assert "4111" not in agent.messages[0].text and "ctok_" in agent.messages[0].text


@pytest.mark.parametrize("how", ["missing", "forged"])
async def test_unsigned_or_forged_deliveries_are_refused(messenger, how) -> None:
    await _refused(messenger, how)


# Telegram's secret token does not depend on the body: a resent body is a replay there, refused
# by the update-id check (test_a_replayed_delivery_is_handled_once).
@only("viber", "whatsapp", "facebook")
async def test_a_signature_of_another_body_is_refused(messenger) -> None:
    await _refused(messenger, "other-body")


async def _refused(messenger, how: str) -> None:
    platform, post, agent, api, _channel, _client = messenger
    update = platform.text_update("balance")
    if how == "missing":
        headers: dict = {}
    elif how == "forged":
        headers = platform.sign(body_of(update), secret="a-guess-of-the-secret-000000")
    else:
        headers = platform.sign(body_of(platform.text_update("hi")))
    answer = await post(update, headers=headers)
    assert answer.status_code == 401
    assert agent.messages == [] and api.calls == []


async def test_a_replayed_delivery_is_handled_once(messenger) -> None:
    platform, post, agent, api, _channel, _client = messenger
    update = platform.text_update("balance")
    for _ in range(3):  # the platform retries, or someone replays a captured request
        assert (await post(update)).status_code == 200
    assert len(agent.messages) == 1 and len(platform.sent(api)) == 1


async def test_a_redelivery_after_an_outage_is_handled_once(messenger) -> None:
    """Platforms redeliver for hours or days after a failure: the customer's message of two
    days ago is handled (not refused as stale), and each later retry of it is not."""
    platform, post, agent, api, _channel, _client = messenger
    update = platform.text_update("balance", at=time.time() - 2 * 86400)
    for _ in range(2):
        assert (await post(update)).status_code == 200
    assert len(agent.messages) == 1 and len(platform.sent(api)) == 1


async def test_a_delivery_older_than_the_replay_memory_is_refused(messenger) -> None:
    platform, post, agent, api, _channel, _client = messenger
    answer = await post(platform.text_update("balance", at=time.time() - 9 * 86400))
    assert answer.status_code == 403
    assert agent.messages == [] and api.calls == []


async def test_a_retry_after_a_restart_is_still_handled_once(messenger, serve) -> None:
    """The seen deliveries are in the assistant's database: a new process (a new channel
    object, another replica) does not handle a retry again."""
    platform, post, agent, api, _channel, _client = messenger
    update = platform.text_update("balance")
    assert (await post(update)).status_code == 200
    again = RecordingAgent()
    url = await serve(platform.channel(api.url), agent=again)
    body = body_of(update)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        answer = await client.post(platform.path, content=body, headers=platform.sign(body))
    assert answer.status_code == 200
    assert len(agent.messages) == 1 and again.messages == []


async def test_an_update_cannot_spoof_another_channel(messenger) -> None:
    """The body cannot pick the channel: the conversation is always this messenger's."""
    platform, post, agent, _api, _channel, _client = messenger
    update = platform.text_update("balance")
    update["input_channel"] = "rest"
    await post(update)
    assert agent.messages[0].input_channel == platform.name
    assert agent.messages[0].sender_id.startswith(platform.prefix)


async def test_stickers_and_other_media_get_a_polite_answer(messenger) -> None:
    platform, post, agent, api, _channel, _client = messenger
    if platform.name == "telegram":
        update = platform.update({"sticker": {"file_id": "CAAC", "emoji": "👍"}})
    else:
        update = platform.update({"sticker": True})
    assert (await post(update)).status_code == 200
    assert agent.messages == []
    [sent] = platform.sent(api)
    assert sent["text"] == NOT_TEXT_ANSWER and sent["to"] == platform.user


async def test_deep_link_parameter_and_language_are_kept(messenger) -> None:
    platform, post, agent, _api, _channel, _client = messenger
    await post(platform.start_update("ref_ABC123"))
    [message] = agent.messages
    if platform.name == "whatsapp":  # wa.me links carry the parameter in the first text
        assert message.text == "start ref_ABC123"
        return
    assert message.text == "/deep_link_start"  # the referral programme's own turn
    assert message.metadata["start_param"] == "ref_ABC123"
    if platform.name in ("telegram", "viber"):
        assert message.metadata["language"] == "uk"


@only("telegram", "viber", "facebook")  # WhatsApp's sender id is the customer's number already
async def test_shared_contact_becomes_the_phone_number(messenger) -> None:
    platform, post, agent, _api, _channel, _client = messenger
    await post(platform.update({"contact": "380501112233"}))
    [message] = agent.messages
    assert message.text in ("+380501112233", "380501112233")
    assert message.sender_id == platform.prefix + platform.user


async def test_telegram_refuses_someone_elses_contact(serve, api) -> None:
    platform = PLATFORMS[0]
    agent = RecordingAgent()
    url = await serve(platform.channel(api.url), agent=agent)
    update = platform.update({"contact": "380671234567"})
    update["message"]["contact"]["user_id"] = 777  # a contact card of somebody else
    body = body_of(update)
    async with httpx.AsyncClient(base_url=url) as client:
        await client.post(platform.path, content=body, headers=platform.sign(body))
    assert agent.messages == []
    assert "not your own number" in platform.sent(api)[0]["text"]


async def test_a_channel_without_its_secret_is_off(serve, api) -> None:
    for platform in PLATFORMS:
        secret_key = {
            "telegram": "secret_token",
            "viber": "auth_token",
            "whatsapp": "app_secret",
            "facebook": "secret",
        }[platform.name]
        agent = RecordingAgent()
        url = await serve(platform.channel(api.url, **{secret_key: ""}), agent=agent)
        body = body_of(platform.text_update("balance"))
        async with httpx.AsyncClient(base_url=url) as client:
            answer = await client.post(platform.path, content=body, headers=platform.sign(body))
        assert answer.status_code == 403, platform.name
        assert agent.messages == []


# ------------------------------------------------------------------ Meta's verify handshake


@pytest.mark.parametrize(
    "platform",
    [p for p in PLATFORMS if p.name in ("whatsapp", "facebook")],
    ids=["whatsapp", "facebook"],
)
async def test_verify_token_handshake(serve, api, platform) -> None:
    url = await serve(platform.channel(api.url), agent=RecordingAgent())
    token = platform.credentials.get("verify_token") or platform.credentials.get("verify")
    async with httpx.AsyncClient(base_url=url) as client:
        ok = await client.get(
            platform.path,
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": token,
                "hub.challenge": "1158201444",
            },
        )
        bad = await client.get(
            platform.path,
            params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert bad.status_code == 403


# ------------------------------------------------------------------ native rendering


BUTTONS = [{"title": "Yes, send it", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
MANY = [{"title": f"Option {n}", "payload": f'/inform{{"n": {n}}}'} for n in range(5)]


async def test_buttons_images_documents_links(messenger) -> None:
    platform, _post, _agent, api, channel, _client = messenger
    out = channel.reply_output()
    to = platform.prefix + platform.user
    await out.send_response(to, {"text": "Send 100 UAH?", "buttons": BUTTONS})
    await out.send_response(to, {"image": "https://bank.example/media/card.png"})
    await out.send_response(
        to, {"attachment": {"url": "https://bank.example/d.pdf", "name": "d.pdf"}}
    )
    await out.send_response(to, {"text": "Pay here: https://bank.example/pay/abc"})
    button, image, document, link = platform.sent(api)
    assert all(sent["to"] == platform.user for sent in (button, image, document, link))
    raw = button["raw"]
    if platform.name == "telegram":
        keyboard = raw["reply_markup"]["inline_keyboard"]
        assert keyboard == [
            [{"text": "Yes, send it", "callback_data": "/affirm"}],
            [{"text": "No", "callback_data": "/deny"}],
        ]
        assert (image["kind"], document["kind"]) == ("sendPhoto", "sendDocument")
    elif platform.name == "viber":
        assert [b["ActionBody"] for b in raw["keyboard"]["Buttons"]] == ["/affirm", "/deny"]
        assert (image["kind"], document["kind"]) == ("picture", "url")
    elif platform.name == "whatsapp":
        assert raw["interactive"]["type"] == "button"
        assert [b["reply"]["id"] for b in raw["interactive"]["action"]["buttons"]] == [
            "/affirm",
            "/deny",
        ]
        assert (image["kind"], document["kind"]) == ("image", "document")
    else:
        assert [q["payload"] for q in raw["message"]["quick_replies"]] == ["/affirm", "/deny"]
        assert image["raw"]["message"]["attachment"]["type"] == "image"
        assert document["raw"]["message"]["attachment"]["type"] == "file"
    assert "https://bank.example/pay/abc" in link["text"]


async def test_whatsapp_more_than_three_choices_become_a_list(api) -> None:
    platform = PLATFORMS[2]
    out = platform.channel(api.url).reply_output()
    await out.send_response("wa-380501112233", {"text": "Which card?", "buttons": MANY})
    [sent] = platform.sent(api)
    interactive = sent["raw"]["interactive"]
    assert interactive["type"] == "list"
    assert len(interactive["action"]["sections"][0]["rows"]) == 5


LIMITS = {"telegram": 4096, "viber": 7000, "whatsapp": 4096, "facebook": 2000}


async def test_long_answers_are_split_at_the_platforms_limit(messenger) -> None:
    platform, _post, _agent, api, channel, _client = messenger
    limit = LIMITS[platform.name]
    text = ("word " * (limit // 2)).strip()  # about 2.5 × the limit
    await channel.reply_output().send_text_message(platform.prefix + platform.user, text)
    pieces = [sent["text"] for sent in platform.sent(api)]
    assert len(pieces) == 3 and all(len(piece) <= limit for piece in pieces)
    assert " ".join(pieces) == text


def test_split_text_prefers_line_breaks() -> None:
    assert split_text("a" * 6 + "\n" + "b" * 6, 10) == ["a" * 6, "b" * 6]
    assert split_text("short", 10) == ["short"]


async def test_proactive_messages_use_the_send_api(messenger) -> None:
    """What Rasa does for `trigger_intent?output_channel=latest`: the registered channel's
    `get_output_channel()` (the outbox) sends to the conversation's key."""
    platform, _post, _agent, api, channel, _client = messenger
    out = channel.get_output_channel()
    await out.send_text_message(platform.prefix + platform.user, "500.00 UAH arrived on your card")
    await until(lambda: platform.sent(api))
    [sent] = platform.sent(api)
    assert sent["to"] == platform.user and "arrived" in sent["text"]


async def until(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_button_presses_come_back_as_payloads(messenger) -> None:
    platform, post, agent, api, _channel, _client = messenger
    if platform.name == "telegram":
        update = {
            "update_id": 99,
            "callback_query": {
                "id": "cb1",
                "data": "/affirm",
                "from": {"id": 42, "language_code": "uk"},
                "message": {"message_id": 5, "chat": {"id": 42, "type": "private"}},
            },
        }
    elif platform.name == "viber":
        update = platform.text_update("/affirm")  # a reply keyboard sends its ActionBody as text
    else:
        update = platform.update({"button": "/affirm"})
    await post(update)
    assert agent.messages[0].text == "/affirm"
    if platform.name == "telegram":
        assert any(call["path"].endswith("/answerCallbackQuery") for call in api.calls)


def test_the_retry_memory_is_bounded_in_memory_and_kept_in_the_database():
    """Update ids are remembered to handle a platform's retry once: the in-memory front keeps
    only the last `size` (signed deliveries with ever new ids, bench/bench_fuzz.py, cannot grow
    it), the database keeps them all for the replay window (then they are pruned)."""
    seen = SeenIds("telegram", retention_seconds=3600, size=3)
    assert all(seen.first_time(f"u{n}") for n in range(10))
    assert len(seen._recent) == 3
    assert not seen.first_time("u9") and not seen.first_time("u7")  # recent: a retry
    assert not seen.first_time("u0")  # out of memory, still in the database: a retry
    assert len(seen._recent) == 3
    assert seen.first_time(None) and seen.first_time(None)  # no id: never deduplicated
    assert SeenIds("viber", retention_seconds=3600).first_time("u0")  # per channel
