"""The whole sensitive corpus (tests/security/corpus.py) through the real REST channel over
HTTP, with the real sandbox vault: what reaches Rasa (text and metadata), and every log line
written meanwhile, hold nothing of any secret. The tracker store and event broker side of the
same corpus: tests/assistant/test_event_broker.py."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from assistant.channels import RedactingRestInput
from assistant.channels.auth import mint_token
from assistant.log_filter import install as install_log_redaction
from assistant.redaction import contains_sensitive
from tests.assistant.channels.conftest import RecordingAgent
from tests.security.corpus import CORPUS, METADATA
from tests.security.test_corpus import _leaks

SECRET = "a-corpus-client-secret-of-32-chars"


def signed(sender: str) -> dict:
    return {"Authorization": f"Bearer {mint_token('corpus', SECRET, sender)}"}


@pytest.fixture
async def rest(serve, vault):
    agent = RecordingAgent()
    channel = RedactingRestInput.from_credentials({"clients": {"corpus": SECRET}})
    url = await serve(channel, agent=agent)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield client, agent


async def test_the_corpus_through_the_rest_channel(rest, caplog):
    install_log_redaction()
    caplog.set_level(logging.DEBUG)
    client, agent = rest
    for i, (text, _secret) in enumerate(CORPUS):
        meta = METADATA[i % len(METADATA)][0]
        resp = await client.post("/webhooks/rest/webhook", headers=signed(f"corpus-{i}"),
                                 json={"sender": f"corpus-{i}", "message": text,
                                       "metadata": meta})
        assert resp.status_code == 200, resp.text
        logging.getLogger("test.corpus").info("received %s", text)  # a careless log line
    assert len(agent.messages) == len(CORPUS)
    for (text, secret), message in zip(CORPUS, agent.messages, strict=True):
        seen = json.dumps([message.text, message.metadata], ensure_ascii=False)
        assert not _leaks(seen, secret), (text, seen)
        assert not contains_sensitive(message.text), (text, message.text)
    for i, message in enumerate(agent.messages):
        _meta, secret = METADATA[i % len(METADATA)]
        assert not _leaks(json.dumps(message.metadata, ensure_ascii=False), secret)
    log_lines = [record.getMessage() for record in caplog.records]
    assert log_lines
    for (text, secret) in CORPUS:
        for line in log_lines:
            if not secret.isdigit() or len(secret) >= 8:
                assert not _leaks(line, secret), (text, line)
    for line in log_lines:
        assert not contains_sensitive(line), line
