"""The action server refuses calls without Rasa's shared bearer token (rasa_sdk_plugins)."""

from __future__ import annotations

import httpx
import pytest

ACTION_CALL = {
    "next_action": "action_listen_does_not_matter",
    "sender_id": "auth-test",
    "tracker": {"sender_id": "auth-test", "events": [], "slots": {}, "latest_message": {}},
    "domain": {},
    "version": "3.6.2",
}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
    ],
    ids=["no-token", "wrong-token", "basic-auth", "empty-bearer"],
)
def test_webhook_without_the_token_is_refused(action_server, headers) -> None:
    answer = httpx.post(f"{action_server.url}/webhook", json=ACTION_CALL, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    assert "auth-test" not in answer.text  # nothing of the call is echoed back


def test_action_list_needs_the_token_too(action_server) -> None:
    assert httpx.get(f"{action_server.url}/actions").status_code == 401


def test_right_token_is_accepted(action_server) -> None:
    auth = {"Authorization": f"Bearer {action_server.token}"}
    listed = httpx.get(f"{action_server.url}/actions", headers=auth)
    assert listed.status_code == 200
    assert {"name": "action_logout"} in listed.json()
    # A real call: logging out (the bank ends the session, whether or not there was one).
    answer = httpx.post(
        f"{action_server.url}/webhook",
        json={**ACTION_CALL, "next_action": "action_logout"},
        headers=auth,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [r["response"] for r in body["responses"]] == ["utter_logged_out"]
    slots = {e["name"]: e["value"] for e in body["events"] if e["event"] == "slot"}
    assert slots["logged_in"] is False
    assert slots["pending_intent"] is None


def test_health_stays_open(action_server) -> None:
    answer = httpx.get(f"{action_server.url}/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/nope", "/webhook/extra/deep", "/actions/x", "/../etc/passwd",
                                  "/%00", "/webhooks/unknown"])
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_unknown_paths_are_404_not_500(action_server, path, method) -> None:
    auth = {"Authorization": f"Bearer {action_server.token}"}
    answer = httpx.request(method, f"{action_server.url}{path}", headers=auth)
    assert answer.status_code in (404, 405), (method, path, answer.status_code, answer.text)


def test_a_failing_action_says_what_failed_and_nothing_else(action_server) -> None:
    """Issue 22 #7: rasa-sdk answered an action's exception with the whole action call (the
    conversation state), which Rasa logs at ERROR."""
    call = {**ACTION_CALL, "next_action": "action_logout",
            "tracker": {**ACTION_CALL["tracker"], "events": 5,  # not a list: the action fails
                        "latest_message": {"text": "my secret Zebra-Orchard-77"}}}
    answer = httpx.post(f"{action_server.url}/webhook", json=call, timeout=30,
                        headers={"Authorization": f"Bearer {action_server.token}"})
    assert answer.status_code == 500
    error = answer.json()["error"]
    assert error["code"] == "action_failed" and error["action_name"] == "action_logout"
    assert "Zebra-Orchard-77" not in answer.text and "auth-test" not in answer.text
    assert "Zebra-Orchard-77" not in action_server.log_text()
