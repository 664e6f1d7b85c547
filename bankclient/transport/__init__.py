"""How the bank client reaches the core bank; nothing outside `bankclient` needs this.

- `http`: one pooled httpx client per backend, a total time budget per call (`Deadline`), at most
  one retry and only for calls that are safe to repeat (`with_retry`).
- `auth`: OAuth2 client-credentials tokens (`TokenProvider`).
- `rest`: the REST/JSON API (`RestClient.request`).
- `soap`: the legacy SOAP/XML API (`SoapClient.call`), with `xmlmap` (safe XML parsing and the
  declarative XML → JSON mapping).

`Transport` holds one client per backend, each created on first use, so a process that only
tokenizes card numbers (the Rasa channel) opens one connection pool and no more.
"""

from __future__ import annotations

from ..config import BankSettings
from .rest import RestClient
from .soap import SoapClient


class Transport:
    def __init__(self, settings: BankSettings) -> None:
        self.settings = settings
        self._rest: RestClient | None = None
        self._soap: SoapClient | None = None

    @property
    def rest(self) -> RestClient:
        if self._rest is None:
            self._rest = RestClient(self.settings)
        return self._rest

    @property
    def soap(self) -> SoapClient:
        if self._soap is None:
            self._soap = SoapClient(self.settings)
        return self._soap

    async def close(self) -> None:
        rest, soap = self._rest, self._soap
        self._rest = self._soap = None
        for client in (rest, soap):
            if client is not None:
                await client.close()


__all__ = ["RestClient", "SoapClient", "Transport"]
