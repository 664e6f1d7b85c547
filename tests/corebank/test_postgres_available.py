"""`postgres_available()` says False only when nothing listens (a missing service: skip locally,
fail under CI=true); a server that refuses us (wrong credentials, unknown role) is an error."""

from __future__ import annotations

import psycopg2
import pytest

from corebank import devserver
from corebank.devserver import free_port, postgres_available
from tests.fixtures.services import require_postgres


def test_nothing_listening_is_not_reachable(monkeypatch) -> None:
    monkeypatch.setattr(
        devserver, "PG_ADMIN_URL", f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    )
    assert postgres_available() is False


@pytest.mark.postgres
def test_wrong_credentials_are_an_error_not_a_skip(monkeypatch) -> None:
    require_postgres()  # the real server must be there for this one
    monkeypatch.setattr(
        devserver, "PG_ADMIN_URL", "postgresql://no_such_role_for_tests@127.0.0.1:5432/postgres"
    )
    with pytest.raises(psycopg2.OperationalError):
        postgres_available()


@pytest.mark.postgres
def test_the_real_server_is_available() -> None:
    require_postgres()
    assert postgres_available() is True
