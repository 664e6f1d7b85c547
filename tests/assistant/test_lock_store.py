"""EnvLockStore: Redis when REDIS_URL is set, in-memory otherwise (endpoints.yml lock_store)."""

from __future__ import annotations

import os
import uuid

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from assistant.lock_store import EnvLockStore
from tests.fixtures.services import require_redis

ENDPOINT = EndpointConfig(type="assistant.lock_store.EnvLockStore")


def test_in_memory_without_redis_url(monkeypatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    store = LockStore.create(ENDPOINT)  # the way Rasa builds it from endpoints.yml
    assert isinstance(store, EnvLockStore)
    assert isinstance(store.backend, InMemoryLockStore)


async def test_redis_when_configured(monkeypatch) -> None:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
    require_redis(url)
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("REDIS_LOCK_KEY_PREFIX", f"test{uuid.uuid4().hex[:8]}")
    store = LockStore.create(ENDPOINT)
    assert isinstance(store.backend, RedisLockStore)

    conversation = f"conv-{uuid.uuid4().hex}"
    async with store.lock(conversation):
        assert store.get_lock(conversation) is not None  # visible to every replica
        assert store.backend.red.exists(store.backend.key_prefix + conversation)
    assert store.get_lock(conversation) is None
