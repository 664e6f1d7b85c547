"""Rasa's NLG: the responses service first, the published catalog read locally when it is down.

endpoints.yml:

    nlg:
      type: assistant.nlg.CatalogNLG
      url: ${RESPONSES_URL}/nlg
      token: ${RESPONSES_SERVICE_TOKEN}
      timeout: 0.3          # seconds; then the local copy answers

Each response is asked of the service (Rasa's NLG callback contract, with only what rendering
needs from the tracker: its slots, not every event, so a long conversation costs the same).
When the service does not answer within `timeout`, errors, or knows no such response, the
reply comes from the local copy of the catalog (responses/<language>/*.yml, refreshed from the
service's published catalog whenever the service reports a newer version), rendered by Rasa's
own templated NLG: a customer never gets an empty reply because the service is down or slow.
After a failure the service is left alone for `retry_after` seconds (no timeout per message).

Without a URL (`rasa shell`, `rasa interactive` with no service running) only the local copy
is used.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any

import aiohttp
from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from responses_service.catalog import Renderer, catalog_dir, load_files

logger = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 0.3
DEFAULT_RETRY_AFTER = 5.0


class CatalogNLG(NaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig | None = None,
                 domain: Domain | None = None, catalog_path: Path | None = None) -> None:
        config = endpoint_config or EndpointConfig()
        self.url = (config.url or "").strip()
        if "${" in self.url or self.url in ("/nlg", ""):  # variable unset: local copy only
            self.url = ""
        kwargs = config.kwargs or {}
        token = str(config.token or os.environ.get("RESPONSES_SERVICE_TOKEN") or "")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = float(kwargs.get("timeout") or DEFAULT_TIMEOUT)
        self.retry_after = float(kwargs.get("retry_after") or DEFAULT_RETRY_AFTER)
        self.local = Renderer(load_files(catalog_path or catalog_dir()), version=0)
        self._down_until = 0.0
        self._session: aiohttp.ClientSession | None = None
        self._refreshing: asyncio.Task | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                connector=aiohttp.TCPConnector(limit=64, keepalive_timeout=30),
            )
        return self._session

    async def generate(self, utter_action: str, tracker: DialogueStateTracker,
                       output_channel: str, **kwargs: Any) -> dict[str, Any] | None:
        kwargs.pop("domain_responses", None)
        slots = tracker.current_slot_values()
        if self.url and time.monotonic() >= self._down_until:
            message = await self._from_service(utter_action, tracker.sender_id, slots,
                                               output_channel, kwargs)
            if message is not None:
                return message
        message = self.local.render(utter_action, slots, output_channel, kwargs)
        if message is None:
            logger.error("No response %s in the catalog (service and local copy)", utter_action)
            return None
        message.pop("condition", None)
        message.pop("channel", None)
        return message

    async def _from_service(self, name: str, sender_id: str, slots: dict[str, Any],
                            channel: str, arguments: dict[str, Any]) -> dict[str, Any] | None:
        body = {"response": name, "arguments": arguments,
                "tracker": {"sender_id": sender_id, "slots": slots},
                "channel": {"name": channel}}
        try:
            async with self._client().post(self.url, json=body, headers=self.headers) as answer:
                if answer.status == 404:  # not (yet) in the published catalog: the local copy
                    return None
                answer.raise_for_status()
                message = await answer.json()
                version = int(answer.headers.get("X-Catalog-Version") or 0)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            self._down_until = time.monotonic() + self.retry_after
            logger.warning("Responses service unavailable (%s): the local catalog answers for "
                           "%.0f s", type(exc).__name__, self.retry_after)
            return None
        if version > self.local.version:
            self._refresh_later(version)
        return message if isinstance(message, dict) else None

    def _refresh_later(self, version: int) -> None:
        """Keep the local copy at the service's published version (live edits included)."""
        if self._refreshing is not None and not self._refreshing.done():
            return
        self._refreshing = asyncio.ensure_future(self._refresh(version))

    async def _refresh(self, version: int) -> None:
        url = self.url.rsplit("/nlg", 1)[0] + "/catalog"
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as client:
                async with client.get(url, headers=self.headers) as answer:
                    answer.raise_for_status()
                    data = await answer.json()
            self.local = Renderer(data["catalog"], int(data["version"]))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError) as exc:
            logger.warning("Could not refresh the local catalog to version %s: %s", version,
                           type(exc).__name__)
