"""The responses service's review API against the real sandbox's OIDC sign-in, over HTTP:
designers propose, a second person with the reviewer role approves, the NLG endpoint serves the
new text from then on (no restart), every step is recorded, an earlier version can be restored;
anonymous, wrong-role, cross-site (no CSRF token) and invalid requests are refused and change
nothing."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.responses.staff import DESIGNER, REVIEWER, SECOND_DESIGNER, sign_in

NAME = "utter_you_are_welcome"


def nlg(service: dict, name: str = NAME, slots: dict | None = None) -> httpx.Response:
    return httpx.post(f"{service['url']}/nlg", json={
        "response": name, "arguments": {}, "tracker": {"slots": slots or {}},
        "channel": {"name": "rest"}}, headers={"Authorization": f"Bearer {service['token']}"})


def published_texts(service: dict) -> set[str]:
    return {nlg(service).json()["text"] for _ in range(12)}  # two variations, picked at random


def test_nlg_contract_renders_buttons_conditions_and_channels(service):
    greet = nlg(service, "utter_greet", {"logged_in": True, "customer_first_name": "Iryna"})
    assert greet.status_code == 200
    assert "Iryna" in greet.json()["text"]
    assert [b["payload"] for b in greet.json()["buttons"]][0] == "/check_balance"
    anonymous = nlg(service, "utter_greet", {"logged_in": False}).json()
    assert "{" not in anonymous["text"] and "Iryna" not in anonymous["text"]
    telegram = httpx.post(f"{service['url']}/nlg", json={
        "response": "utter_ask_login_form_phone_number", "tracker": {"slots": {}},
        "channel": {"name": "telegram"}},
        headers={"Authorization": f"Bearer {service['token']}"}).json()
    assert telegram["custom"]["request_contact"] is True
    assert nlg(service, "utter_no_such_thing").status_code == 404
    assert httpx.post(f"{service['url']}/nlg", json={"response": NAME}).status_code == 401


def test_anonymous_and_forged_requests_are_refused(service):
    url = service["url"]
    assert httpx.get(f"{url}/api/responses").status_code == 401
    assert httpx.post(f"{url}/api/changes/1/approve").status_code == 401
    forged = {"Authorization": "Bearer " + "e30." * 2 + "x"}
    assert httpx.get(f"{url}/api/responses", headers=forged).status_code == 401
    assert httpx.get(f"{url}/api/me", cookies={"rs_session": "e30=.deadbeef"}).status_code == 401
    editor = httpx.get(f"{url}/editor")
    assert editor.status_code == 303 and editor.headers["location"] == "/auth/login"


def test_a_wrong_password_gets_no_session(service):
    with pytest.raises(PermissionError):
        sign_in(service["url"], DESIGNER, "not-the-password")


def test_propose_review_publish_record_and_restore(service):
    designer = sign_in(service["url"], DESIGNER, service["password"])
    other_designer = sign_in(service["url"], SECOND_DESIGNER, service["password"])
    reviewer = sign_in(service["url"], REVIEWER, service["password"])
    before = published_texts(service)
    original = designer.get(f"/api/responses/en/{NAME}").json()
    original_id = next(v["id"] for v in original["versions"] if v["status"] == "published")

    # without the CSRF token (a request from another site riding the cookie): refused
    no_csrf = designer.client.post(f"/api/responses/en/{NAME}/changes",
                                   json={"content": [{"text": "Hijacked"}]})
    assert no_csrf.status_code == 403 and no_csrf.json()["error"] == "csrf"

    change = designer.post(f"/api/responses/en/{NAME}/changes",
                           json={"content": [{"text": "Glad I could help! Anything else?"}]})
    assert change.status_code == 201, change.text
    change_id = change.json()["id"]
    assert published_texts(service) == before  # not live before review

    # the author cannot approve; a designer is not a reviewer; a reviewer cannot propose
    assert designer.post(f"/api/changes/{change_id}/approve").status_code == 403
    assert other_designer.post(f"/api/changes/{change_id}/approve").status_code == 403
    assert reviewer.post(f"/api/responses/en/{NAME}/changes",
                         json={"content": [{"text": "x"}]}).status_code == 403

    approved = reviewer.post(f"/api/changes/{change_id}/approve")
    assert approved.status_code == 200, approved.text
    assert published_texts(service) == {"Glad I could help! Anything else?"}
    assert reviewer.post(f"/api/changes/{change_id}/approve").status_code == 404  # once

    audit = reviewer.get("/api/audit", params={"name": NAME}).json()["entries"]
    assert [(e["action"], e["actor"]) for e in audit[:2]] == [("approved", REVIEWER),
                                                              ("proposed", DESIGNER)]
    assert audit[0]["before"] == original["content"]
    assert audit[0]["after"] == [{"text": "Glad I could help! Anything else?"}]

    restore = designer.post(f"/api/responses/en/{NAME}/restore", json={"version_id": original_id})
    assert restore.status_code == 201, restore.text
    assert reviewer.post(f"/api/changes/{restore.json()['id']}/approve").status_code == 200
    assert published_texts(service) == before


@pytest.mark.parametrize(("content", "problem"), [
    ([{"text": "Hi", "buttons": [{"title": "Ask a friend for money", "payload": "/help"}]}],
     "22 characters"),
    ([{"text": "You're welcome, {customer_pan}!"}], "placeholders the assistant does not fill"),
    ([{"text": "Hi", "buttons": [{"title": "Go", "payload": "/transfer_money"}]}],
     "button payloads"),
    ([], "list of 1 to"),
    ("not a list", "list of 1 to"),
    ([{"txt": "typo"}], "unknown key"),
])
def test_invalid_changes_are_refused_and_change_nothing(service, content, problem):
    designer = sign_in(service["url"], DESIGNER, service["password"])
    pending_before = designer.get("/api/responses").json()["pending"]
    answer = designer.post(f"/api/responses/en/{NAME}/changes", json={"content": content})
    assert answer.status_code == 400 and problem in answer.json()["message"], answer.text
    assert designer.get("/api/responses").json()["pending"] == pending_before


def test_preview_shows_each_messenger(service):
    designer = sign_in(service["url"], DESIGNER, service["password"])
    answer = designer.post("/api/preview", json={
        "language": "en", "name": "utter_help",
        # JSON is YAML too: the editor sends what the designer typed
        "content_yaml": json.dumps(designer.get("/api/responses/en/utter_help").json()["content"])})
    assert answer.status_code == 200, answer.text
    shown = answer.json()["previews"][0]["messengers"]
    assert set(shown) == {"telegram", "viber", "whatsapp", "facebook"}
    assert shown["whatsapp"]["buttons_as"] == "list"  # 9 buttons: a list message
    assert shown["facebook"]["buttons_as"] == "quick replies"
