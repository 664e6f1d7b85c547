"""Delivery the way each messenger wants it, against the platform stand-ins (which refuse the
way the platforms do) and real payloads written by others (tests/fixtures/platform_payloads/,
sources and licences in SOURCES.md): Viber's first contact, status webhooks, WhatsApp's
reactions / number changes / edits / contact cards / own number, the outbox (429 then 200,
5xx, blocked, outside the messaging window, restart between storing and sending), Telegram's
used keyboards and deleted secrets."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from assistant import db
from assistant.channels.messengers import store
from assistant.channels.messengers.base import SECRET_DELETED_ANSWER, SendError
from assistant.channels.messengers.meta import OWN_NUMBER_BUTTON
from assistant.channels.messengers.store import OutboxMessage
from corebank.devserver import throwaway_postgres
from tests.assistant.channels.conftest import RecordingAgent
from tests.assistant.channels.platforms import StandInAPI, body_of, platforms
from tests.fixtures.services import require_postgres

PAYLOADS = Path(__file__).parents[2] / "fixtures" / "platform_payloads"
PLATFORMS = {p.name: p for p in platforms()}
NOTICE = {"text": "Your card •••• 1111 was topped up with 100.00 UAH. Balance: 200.00 UAH.",
          "utter_action": "utter_topup_succeeded", "masked_card": "•••• 1111",
          "amount": "100.00 UAH", "balance": "200.00 UAH"}


def payload(platform: str, name: str, **changes) -> dict:
    data = copy.deepcopy(json.loads((PAYLOADS / f"{platform}.json").read_text())[name])
    now = int(time.time())
    if platform == "whatsapp":
        value = data["entry"][0]["changes"][0]["value"]
        value["metadata"]["phone_number_id"] = PLATFORMS["whatsapp"].credentials["phone_number_id"]
        for item in value.get("messages", []) + value.get("statuses", []):
            item["timestamp"] = str(now)
    else:
        data["timestamp"] = now * 1000
    data.update(changes)
    return data


@pytest.fixture
async def api():
    stand_in = await StandInAPI().start()
    yield stand_in
    await stand_in.stop()


async def served(serve, api, name: str, agent: RecordingAgent | None = None):
    platform = PLATFORMS[name]
    channel = platform.channel(api.url)
    agent = agent or RecordingAgent()
    url = await serve(channel, agent=agent)

    async def post(update: dict) -> httpx.Response:
        body = body_of(update)
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            return await client.post(platform.path, content=body,
                                     headers={"Content-Type": "application/json",
                                              **platform.sign(body)})

    return platform, channel, agent, post


async def until(condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def outbox_rows() -> list[OutboxMessage]:
    with db.session_scope() as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


# ------------------------------------------------------------------ Viber's first contact


async def test_viber_welcome_is_the_answer_to_conversation_started(serve, api) -> None:
    """Viber refuses send_message to a user who has not subscribed (status 6): the turn's
    answer must be the callback's response body, and nothing is sent through the API."""
    platform, _channel, agent, post = await served(serve, api, "viber")
    api.refuse("viber", "blocked", times=None)  # what Viber answers before the subscription
    answer = await post(payload("viber", "conversation_started", subscribed=False))
    assert answer.status_code == 200
    welcome = answer.json()
    assert [m.text for m in agent.messages] == ["/deep_link_start"]
    assert agent.messages[0].metadata["start_param"] == "context info"
    assert welcome["type"] == "text" and welcome["text"] == "ok"
    assert welcome["sender"] == {"name": "Bank"} and "receiver" not in welcome
    assert api.calls == []


async def test_viber_send_errors_inside_http_200_are_failures(api) -> None:
    channel = PLATFORMS["viber"].channel(api.url)
    api.refuse("viber", "blocked")
    with pytest.raises(SendError) as refused:
        await channel.send("send_message", {"receiver": "x", "type": "text", "text": "hi"})
    assert refused.value.kind == "blocked" and "6" in refused.value.detail
    api.refuse("viber", "rate")
    with pytest.raises(SendError) as limited:
        await channel.send("send_message", {"receiver": "x", "type": "text", "text": "hi"})
    assert limited.value.kind == "rate"
    assert await channel.send("send_message", {"receiver": "x", "type": "text", "text": "hi"})


async def test_viber_unsubscribed_stops_proactive_messages(serve, api) -> None:
    platform, channel, _agent, post = await served(serve, api, "viber")
    user = "01234567890A="
    assert (await post(payload("viber", "unsubscribed"))).status_code == 200
    await channel.get_output_channel().send_response("vb-" + user, dict(NOTICE))
    await until(lambda: outbox_rows() and outbox_rows()[0].status == "failed")
    assert api.calls == [] and outbox_rows()[0].last_error == "blocked by the user"


# ------------------------------------------------------------------ WhatsApp's other messages


@pytest.mark.parametrize("name", ["reaction", "unreaction_empty", "phone_number_change",
                                  "edit_text"])
async def test_whatsapp_notices_that_need_no_answer(serve, api, name) -> None:
    _platform, _channel, agent, post = await served(serve, api, "whatsapp")
    assert (await post(payload("whatsapp", name))).status_code == 200
    assert agent.messages == [] and api.calls == []  # never "I can only read text"


async def test_whatsapp_contact_card_is_read_as_the_phone(serve, api) -> None:
    _platform, _channel, agent, post = await served(serve, api, "whatsapp")
    card = payload("whatsapp", "contacts")
    message = card["entry"][0]["changes"][0]["value"]["messages"][0]
    message["from"] = "380671234567"  # a card of somebody else's number, shared at login
    assert (await post(card)).status_code == 200
    assert [m.text for m in agent.messages] == ["+15555555555"]
    own = payload("whatsapp", "contacts")  # the sender's own card (wa_id = sender)
    own["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.own"
    await post(own)
    assert agent.messages[-1].text == "+972987654321"
    assert agent.messages[-1].metadata.get("shared_contact") is True


async def test_whatsapp_offers_the_senders_own_number(serve, api) -> None:
    platform, channel, agent, post = await served(serve, api, "whatsapp")
    await channel.reply_output().send_custom_json(
        "wa-380501112233", {"request_contact": True, "text": "Your phone number?"}
    )
    [ask] = platform.sent(api)
    [button] = ask["raw"]["interactive"]["action"]["buttons"]
    assert button["reply"]["id"] == OWN_NUMBER_BUTTON
    await post(platform.update({"button": OWN_NUMBER_BUTTON}, user="380501112233"))
    assert agent.messages[0].text == "+380501112233"  # from the verified sender, not the body


# ------------------------------------------------------------------ the outbox


@pytest.mark.parametrize("name", ["telegram", "viber", "whatsapp", "facebook"])
async def test_rate_limited_then_accepted_is_delivered_exactly_once(serve, api, name) -> None:
    platform, channel, _agent, _post = await served(serve, api, name)
    api.refuse(name, "rate", to=platform.user)
    api.refuse(name, "server", to=platform.user)
    await channel.get_output_channel().send_response(platform.prefix + platform.user,
                                                     dict(NOTICE))
    await until(lambda: platform.sent(api))
    await asyncio.sleep(0.5)  # nothing more goes out
    assert len(platform.sent(api)) == 1 and len(platform.sent(api, refused=True)) == 2
    [row] = outbox_rows()
    assert row.status == "sent" and row.attempts == 2 and row.message is None
    assert row.platform_message_id


async def test_telegram_retry_after_is_honoured(serve, api) -> None:
    platform, channel, _agent, _post = await served(serve, api, "telegram")
    api.refuse("telegram", "rate", to=platform.user)  # parameters.retry_after = 1
    started = time.monotonic()
    await channel.get_output_channel().send_text_message("tg-" + platform.user, "hello")
    await until(lambda: platform.sent(api))
    assert time.monotonic() - started >= 1.0


async def test_the_same_bank_event_is_stored_and_sent_once(serve, api) -> None:
    platform, channel, _agent, _post = await served(serve, api, "telegram")
    for _ in range(2):  # the bank's webhook retried, Rasa ran the action again
        output = channel.get_output_channel()
        await output.send_response("tg-" + platform.user, {**NOTICE, "delivery_key": "evt_1"})
    await until(lambda: platform.sent(api))
    await asyncio.sleep(0.5)
    assert len(platform.sent(api)) == 1 and len(outbox_rows()) == 1


@pytest.mark.parametrize("name", ["telegram", "viber", "whatsapp", "facebook"])
async def test_a_customer_who_blocked_the_bot_gets_no_more_attempts(serve, api, name) -> None:
    platform, channel, _agent, post = await served(serve, api, name)
    api.refuse(name, "blocked", to=platform.user, times=None)
    output = channel.get_output_channel()
    await output.send_response(platform.prefix + platform.user, dict(NOTICE))
    await until(lambda: outbox_rows() and outbox_rows()[0].status == "failed")
    attempts = len(api.calls)
    assert attempts == 1
    await output.send_response(platform.prefix + platform.user, dict(NOTICE))
    await until(lambda: len(outbox_rows()) == 2 and outbox_rows()[1].status == "failed")
    assert len(api.calls) == attempts  # not even tried
    assert store.contact(name, platform.user).blocked_at is not None
    api.clear_refusals()
    await post(platform.text_update("hi, I'm back"))  # writing again unblocks
    await output.send_response(platform.prefix + platform.user, dict(NOTICE))
    await until(lambda: len(outbox_rows()) == 3 and outbox_rows()[2].status == "sent")


async def test_whatsapp_outside_the_window_sends_the_approved_template(serve, api) -> None:
    platform, channel, _agent, _post = await served(serve, api, "whatsapp")
    api.refuse("whatsapp", "window", to=platform.user, times=None)  # error 131047
    await channel.get_output_channel().send_response("wa-" + platform.user, dict(NOTICE))
    await until(lambda: outbox_rows() and outbox_rows()[0].status == "sent")
    [sent] = platform.sent(api)
    template = sent["raw"]["template"]
    assert sent["kind"] == "template" and template["name"] == "bank_topup_succeeded"
    assert template["language"]["code"] == "uk"
    assert [p["text"] for p in template["components"][0]["parameters"]] == [
        "•••• 1111", "100.00 UAH", "200.00 UAH"]
    assert outbox_rows()[0].window == "template:bank_topup_succeeded"


async def test_whatsapp_known_closed_window_goes_straight_to_the_template(serve, api,
                                                                          monkeypatch) -> None:
    platform, channel, _agent, post = await served(serve, api, "whatsapp")
    await post(platform.text_update("hi", at=time.time() - 2 * 86400))  # wrote 2 days ago
    await channel.get_output_channel().send_response("wa-" + platform.user, dict(NOTICE))
    await until(lambda: outbox_rows() and outbox_rows()[0].status == "sent")
    assert api.calls[-1]["json"]["type"] == "template"
    assert not platform.sent(api, refused=True)  # never tried free-form


async def test_whatsapp_without_a_template_is_not_sent_and_recorded(serve, api) -> None:
    platform, channel, _agent, _post = await served(serve, api, "whatsapp")
    api.refuse("whatsapp", "window", to=platform.user, times=None)
    await channel.get_output_channel().send_response(
        "wa-" + platform.user, {"text": "Try our new offer!", "utter_action": "utter_offers"})
    await until(lambda: outbox_rows() and outbox_rows()[0].status == "failed")
    assert "no approved template" in outbox_rows()[0].last_error
    assert not platform.sent(api)


async def test_messenger_outside_the_window_is_tagged_or_not_sent(serve, api) -> None:
    platform, channel, _agent, _post = await served(serve, api, "facebook")
    api.refuse("facebook", "window", to=platform.user, times=None)  # (#10) subcode 2018278
    output = channel.get_output_channel()
    await output.send_response("fb-" + platform.user, dict(NOTICE))
    await until(lambda: outbox_rows() and outbox_rows()[0].status == "sent")
    [sent] = platform.sent(api)
    assert sent["tag"] == "ACCOUNT_UPDATE"
    assert sent["raw"]["messaging_type"] == "MESSAGE_TAG"
    await output.send_response("fb-" + platform.user,
                               {"text": "Try our new offer!", "utter_action": "utter_offers"})
    await until(lambda: len(outbox_rows()) == 2 and outbox_rows()[1].status == "failed")
    assert "no message tag" in outbox_rows()[1].last_error
    assert len(platform.sent(api)) == 1


async def test_stored_before_a_crash_is_sent_once_after_the_restart(serve, api) -> None:
    """The process died after storing and before sending (the row is queued, maybe claimed by
    the dead worker): the next process's worker sends it once, also with two of them."""
    platform = PLATFORMS["telegram"]
    dead = platform.channel(api.url).outbox()
    assert dead._insert(platform.user, dict(NOTICE), "telegram:evt_crash:0")  # stored; no worker
    assert api.calls == []
    first, second = platform.channel(api.url), platform.channel(api.url)  # two new processes
    await asyncio.gather(first.outbox().run_once(), second.outbox().run_once())
    await asyncio.sleep(0.2)
    await asyncio.gather(first.outbox().run_once(), second.outbox().run_once())
    assert len(platform.sent(api)) == 1 and outbox_rows()[0].status == "sent"


# ------------------------------------------------------------------ status webhooks


async def test_whatsapp_statuses_move_the_outbox_row(serve, api) -> None:
    platform, channel, _agent, post = await served(serve, api, "whatsapp")
    await channel.get_output_channel().send_response("wa-972987654321", dict(NOTICE))
    await until(lambda: outbox_rows() and outbox_rows()[0].status == "sent")
    with db.session_scope() as session:  # the id the platform gave it is the fixture's
        session.execute(OutboxMessage.__table__.update().values(platform_message_id="wamid.xyzxyz"))
    await post(payload("whatsapp", "status_delivered"))
    assert outbox_rows()[0].status == "delivered"
    await post(payload("whatsapp", "status_read"))
    assert outbox_rows()[0].status == "read"
    await post(payload("whatsapp", "status_delivered"))  # late: never backwards
    assert outbox_rows()[0].status == "read"


async def test_viber_delivered_and_messenger_read_watermark(serve, api) -> None:
    platform, channel, _agent, post = await served(serve, api, "viber")
    await channel.get_output_channel().send_response("vb-01234567890A=", dict(NOTICE))
    await until(lambda: outbox_rows() and outbox_rows()[0].status == "sent")
    with db.session_scope() as session:
        session.execute(OutboxMessage.__table__.update().values(
            platform_message_id="912661846655238145"))
    await post(payload("viber", "delivered"))
    assert outbox_rows()[0].status == "delivered"

    fb, fb_channel, _agent, fb_post = await served(serve, api, "facebook")
    await fb_channel.get_output_channel().send_response("fb-" + fb.user, dict(NOTICE))
    await until(lambda: len(outbox_rows()) == 2 and outbox_rows()[1].status == "sent")
    read = {"object": "page", "entry": [{"id": "PAGE", "time": int(time.time() * 1000),
            "messaging": [{"sender": {"id": fb.user}, "recipient": {"id": "PAGE"},
                           "timestamp": int(time.time() * 1000),
                           "read": {"watermark": int(time.time() * 1000) + 1000}}]}]}
    await fb_post(read)
    assert outbox_rows()[1].status == "read"


# ------------------------------------------------------------------ Telegram: buttons, secrets


async def test_telegram_removes_a_used_keyboard_before_the_press_is_handled(serve, api) -> None:
    platform, _channel, agent, post = await served(serve, api, "telegram")
    press = {"update_id": 77, "callback_query": {
        "id": "cb7", "data": "/affirm", "from": {"id": 42, "language_code": "en"},
        "message": {"message_id": 9, "chat": {"id": 42, "type": "private"}}}}
    await post(press)
    [edit] = platform.telegram_calls(api, "editMessageReplyMarkup")
    assert (edit["chat_id"], edit["message_id"]) == (42, 9)
    assert edit["reply_markup"] == {"inline_keyboard": []}
    order = [c["path"].rsplit("/", 1)[1] for c in api.calls]
    assert order.index("editMessageReplyMarkup") < order.index("sendMessage")  # before the turn
    assert [m.text for m in agent.messages] == ["/affirm"]


async def test_telegram_deletes_a_message_that_carried_a_card_number(serve, api, vault) -> None:
    platform, _channel, agent, post = await served(serve, api, "telegram")
    update = platform.text_update("send 50 to 4111 1111 1111 1111")
    await post(update)
    [deleted] = platform.telegram_calls(api, "deleteMessage")
    assert deleted == {"chat_id": platform.user, "message_id": update["message"]["message_id"]}
    assert SECRET_DELETED_ANSWER in [m["text"] for m in platform.sent(api)]
    assert "4111" not in agent.messages[0].text
    await post(platform.text_update("what's my balance"))  # nothing secret: kept
    assert len(platform.telegram_calls(api, "deleteMessage")) == 1


async def test_the_outbox_on_postgresql(serve, api, monkeypatch) -> None:
    """The production store: two workers (two replicas) on one PostgreSQL outbox send a
    stored message once, through a 429, and the status webhook moves it on."""
    require_postgres()
    with throwaway_postgres("outbox") as url:
        monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
        platform = PLATFORMS["whatsapp"]
        first, second = platform.channel(api.url), platform.channel(api.url)
        try:
            api.refuse("whatsapp", "rate", to=platform.user)
            await first.get_output_channel().send_response("wa-" + platform.user, dict(NOTICE))
            second.outbox().start()
            await until(lambda: outbox_rows() and outbox_rows()[0].status == "sent")
            await asyncio.sleep(0.5)
            assert len(platform.sent(api)) == 1
            [row] = outbox_rows()
            status = payload("whatsapp", "status_delivered")
            status["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = (
                row.platform_message_id)
            url_served = await serve(first, agent=RecordingAgent())
            body = body_of(status)
            async with httpx.AsyncClient(base_url=url_served) as client:
                await client.post(platform.path, content=body, headers=platform.sign(body))
            assert outbox_rows()[0].status == "delivered"
        finally:
            for channel in (first, second):
                await channel.outbox().stop()
            db._engines.pop(url).dispose()  # noqa: SLF001 - before the database is dropped
