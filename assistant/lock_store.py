"""Lock store chosen from the environment: Redis when REDIS_URL is set, in-memory otherwise.

Rasa's endpoints.yml cannot say "redis if a variable is set" (an unset ${VAR} is an error),
so endpoints.yml names this class and the choice happens here. With several Rasa replicas
behind a load balancer REDIS_URL must be set, so that one conversation is processed by one
replica at a time.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

logger = logging.getLogger(__name__)


def redis_lock_store(url: str) -> RedisLockStore:
    """redis://[user:password@]host[:port][/db] (rediss:// for TLS)."""
    parts = urlsplit(url)
    db = parts.path.lstrip("/")
    return RedisLockStore(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        db=int(db) if db else 1,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_ssl=parts.scheme == "rediss",
        key_prefix=os.environ.get("REDIS_LOCK_KEY_PREFIX") or None,
    )


class EnvLockStore(LockStore):
    """Delegates to a RedisLockStore or an InMemoryLockStore picked at start-up."""

    def __init__(self, endpoint_config=None) -> None:
        url = os.environ.get("REDIS_URL")
        self.backend: LockStore = redis_lock_store(url) if url else InMemoryLockStore()
        logger.info("Lock store: %s", type(self.backend).__name__)
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.backend.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.backend.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.backend.save_lock(lock)
