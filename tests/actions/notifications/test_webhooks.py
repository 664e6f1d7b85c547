"""The bank webhook receiver (actions/notifications/webhooks.py) over HTTP on a real action server:
signature, staleness, malformed bodies, duplicates, replays, concurrency, Rasa down."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import jwt

from actions.notifications.webhooks import sign, signature_problem
from tests.actions.notifications.stack import event_body


def test_good_signature_notifies_the_customer_once(webhook_stack):
    body, sender, _ = event_body(masked_card="•••• 0016")
    resp = webhook_stack.post_event(body)
    assert resp.status_code == 200 and resp.json()["status"] == "delivered"
    calls = webhook_stack.rasa.triggers(sender)
    assert len(calls) == 1
    call = calls[0]
    # the identity's own channel ("rest:<sender>"), never the channel that wrote last
    assert call["query"]["output_channel"] == ["rest"]
    # No secret in the URL: a short-lived JWT signed with Rasa's secret, in the header.
    assert set(call["query"]) == {"output_channel"}
    scheme, _, token = call["authorization"].partition(" ")
    claims = jwt.decode(token, webhook_stack.env["RASA_JWT_SECRET"], algorithms=["HS256"])
    assert scheme == "Bearer" and claims["user"] == {"username": "assistant", "role": "admin"}
    assert 0 < claims["exp"] - time.time() <= 60
    assert call["body"]["name"] == "EXTERNAL_topup_succeeded"
    assert call["body"]["entities"] == {
        "amount": "100.00", "currency": "UAH", "balance": "1600.00", "masked_card": "•••• 0016",
        # the event's id: the messengers' outbox stores its messages once (outbox.py)
        "delivery_key": json.loads(body)["event_id"],
    }  # fmt: skip


def test_a_notice_goes_through_the_channel_that_owns_the_conversation(webhook_stack):
    """Issue 22 #5: a top-up notice went to whichever channel wrote last."""
    body, _sender, _ = event_body()
    payload = json.loads(body)
    payload["identity"] = "socketio:sio-web-7f3a"
    resp = webhook_stack.post_event(json.dumps(payload).encode())
    assert resp.status_code == 200, resp.text
    [call] = webhook_stack.rasa.triggers("sio-web-7f3a")
    assert call["query"]["output_channel"] == ["socketio"]


def test_duplicate_delivery_does_not_notify_twice(webhook_stack):
    body, sender, _ = event_body()
    assert webhook_stack.post_event(body).json()["status"] == "delivered"
    again = webhook_stack.post_event(body)  # the bank retrying, same event_id, new signature
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert len(webhook_stack.rasa.triggers(sender)) == 1


def test_concurrent_duplicates_notify_once(webhook_stack):
    body, sender, _ = event_body(event_type="payment_request.paid", note="pizza")
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: webhook_stack.post_event(body).status_code, range(8)))
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 409}
    time.sleep(0.5)
    calls = webhook_stack.rasa.triggers(sender)
    assert len(calls) == 1
    assert calls[0]["body"]["name"] == "EXTERNAL_payment_request_paid"
    assert calls[0]["body"]["entities"]["note"] == "pizza"


def test_bad_signature_is_refused_and_nothing_recorded(webhook_stack):
    body, sender, _ = event_body()
    forged = sign("not-the-secret", body, int(time.time()))
    resp = webhook_stack.post_event(body, signature=forged)
    assert resp.status_code == 401
    assert webhook_stack.post_event(body, signature=None).status_code == 401
    assert webhook_stack.post_event(body, signature="t=abc,v1=00").status_code == 401
    # A body changed after signing is refused too.
    good = sign(webhook_stack.secret, body, int(time.time()))
    tampered = body.replace(b"100.00", b"900.00")
    assert webhook_stack.post_event(tampered, signature=good).status_code == 401
    assert webhook_stack.rasa.triggers(sender) == []
    # Nothing was recorded: the genuine delivery still goes through.
    assert webhook_stack.post_event(body).json()["status"] == "delivered"


def test_stale_or_future_timestamp_is_refused(webhook_stack):
    body, sender, _ = event_body()
    old = int(time.time()) - 301
    assert webhook_stack.post_event(body, timestamp=old).status_code == 401
    future = int(time.time()) + 400
    assert webhook_stack.post_event(body, timestamp=future).status_code == 401
    assert webhook_stack.rasa.triggers(sender) == []


def test_replayed_old_capture_is_refused_even_with_a_valid_mac():
    body = b'{"event_id":"evt_1"}'
    header = sign("s3cret", body, 1_000_000)
    assert signature_problem("s3cret", body, header, now=1_000_000 + 10) is None
    assert signature_problem("s3cret", body, header, now=1_000_000 + 301) == "stale signature"


def test_malformed_bodies_get_400(webhook_stack):
    for body in (b"not json", b"[1,2]", json.dumps({"type": "topup.succeeded"}).encode(),
                 json.dumps({"event_id": "evt_x y", "type": "topup.succeeded"}).encode(),
                 json.dumps({"event_id": "evt_ok1", "type": "topup.succeeded",
                             "identity": "no-colon"}).encode(),
                 json.dumps({"event_id": "evt_ok2", "type": "topup.succeeded",
                             "identity": "rest:x", "data": "nope"}).encode()):
        resp = webhook_stack.post_event(body)
        assert resp.status_code == 400, body
        assert resp.json()["error"]["code"] == "invalid_request"


def test_unknown_event_type_is_acknowledged_not_announced(webhook_stack):
    body, sender, _ = event_body(event_type="card.shipped")
    resp = webhook_stack.post_event(body)
    assert resp.status_code == 200 and resp.json()["status"] == "ignored"
    assert webhook_stack.rasa.triggers(sender) == []


def test_rasa_down_means_503_then_the_retry_delivers_once(webhook_stack):
    body, sender, _ = event_body(event_type="topup.failed", reason="expired")
    webhook_stack.rasa.status = 500
    try:
        resp = webhook_stack.post_event(body)
    finally:
        webhook_stack.rasa.status = 200
    assert resp.status_code == 503  # the bank keeps the event and retries
    assert webhook_stack.post_event(body).json()["status"] == "delivered"
    assert webhook_stack.post_event(body).json()["status"] == "duplicate"
    calls = webhook_stack.rasa.triggers(sender)
    assert len(calls) == 1
    assert calls[0]["body"]["name"] == "EXTERNAL_topup_failed"
    assert calls[0]["body"]["entities"]["reason"] == "expired"


def test_the_action_server_token_is_not_needed_but_actions_still_are_protected(webhook_stack):
    import httpx

    resp = httpx.post(f"{webhook_stack.action_url}/webhook", json={"next_action": "x"},
                      timeout=10)
    assert resp.status_code == 401


def test_deeply_nested_signed_body_is_400_not_500(webhook_stack):
    """bench/bench_fuzz.py found it: JSON nested thousands deep (under the 64 KB limit),
    correctly signed, made the JSON parser overflow the stack; rasa-sdk answered 500 and echoed
    the body."""
    for body in (b"[" * 20_000 + b"]" * 20_000, b'{"a":' * 8_000 + b"1" + b"}" * 8_000):
        resp = webhook_stack.post_event(body)
        assert resp.status_code == 400, resp.text[:200]
        assert "[[[[" not in resp.text and '{"a":{"a"' not in resp.text
