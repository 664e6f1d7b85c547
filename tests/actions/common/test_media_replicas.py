"""Pictures with several action-server replicas: with MEDIA_STORE=database a picture published
by one replica is served by every replica, none of which shares a disk with another (each has
its own empty MEDIA_DIR). The control: with the default file store, the replica that did not
write the file answers 404 (why deploy/ and `make replicas` use the database store).

Two real action servers (`rasa_sdk`) on free ports, one throwaway PostgreSQL database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import httpx
import pytest

from actions.cards.image import render_card
from actions.common import db
from actions.common.media import publish_png
from corebank.devserver import free_port, throwaway_postgres
from tests.actions.helpers import ROOT
from tests.fixtures.services import require_postgres


@contextlib.contextmanager
def action_server(env: dict, log_path):
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        for _ in range(600):
            if proc.poll() is not None:
                pytest.fail(f"action server exited:\n{log_path.read_text()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if client.get("/health").status_code == 200:
                    break
            time.sleep(0.2)
        yield client
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture
def database_url():
    require_postgres()
    with throwaway_postgres("media_replicas") as url:
        yield url
    db._engines.pop(url, None)  # noqa: SLF001 - this process's pool to a dropped database


def replica_env(tmp_path, name: str, **extra: str) -> dict:
    media_dir = tmp_path / f"disk-of-{name}"
    media_dir.mkdir()
    return {**os.environ, "MEDIA_DIR": str(media_dir), "ACTION_SERVER_TOKEN": "media-test-token",
            "DEV_MODE": "1", "MEDIA_BASE_URL": "http://lb.test/media", **extra}  # fmt: skip


@pytest.mark.postgres
def test_a_picture_from_one_replica_is_served_by_both(tmp_path, database_url, monkeypatch):
    shared = {"MEDIA_STORE": "database", "ASSISTANT_DATABASE_URL": database_url}
    with action_server(replica_env(tmp_path, "a", **shared), tmp_path / "a.log") as a, (
        action_server(replica_env(tmp_path, "b", **shared), tmp_path / "b.log")
    ) as b:
        # What the card action does on whichever replica ran it (same code, same settings).
        for key, value in replica_env(tmp_path, "publisher", **shared).items():
            monkeypatch.setenv(key, value)
        png = render_card(masked_number="•••• 1234", holder_name="Anna Ivanova", tariff="basic")
        url = publish_png(png)
        name = url.rsplit("/", 1)[1]
        assert url == f"http://lb.test/media/{name}"
        for replica in (a, b):
            answer = replica.get(f"/media/{name}")
            assert answer.status_code == 200
            assert answer.headers["content-type"] == "image/png"
            assert answer.content == png
            assert replica.get("/media/" + "C" * 32 + ".png").status_code == 404
        assert not any((tmp_path / "disk-of-a").iterdir())  # nothing on any local disk
        assert not any((tmp_path / "disk-of-b").iterdir())


def test_control_files_on_one_replica_are_not_on_the_other(tmp_path, monkeypatch):
    with action_server(replica_env(tmp_path, "a"), tmp_path / "a.log") as a, (
        action_server(replica_env(tmp_path, "b"), tmp_path / "b.log")
    ) as b:
        monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "disk-of-a"))
        monkeypatch.delenv("MEDIA_STORE", raising=False)
        name = publish_png(b"\x89PNG written on replica a").rsplit("/", 1)[1]
        assert a.get(f"/media/{name}").status_code == 200
        assert b.get(f"/media/{name}").status_code == 404
