"""The published catalog and its history on PostgreSQL (production) and SQLite (the default):
seeded from the files once, files changed since are published again, four eyes, every step
recorded, restore."""

from __future__ import annotations

import pytest

from responses_service.store import ReviewError, Store
from tests.fixtures.services import require_postgres

FILES = {"en": {"utter_hi": [{"text": "Hi"}], "utter_bye": [{"text": "Bye"}]}}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield Store.open(f"sqlite:///{tmp_path / 'responses.db'}")
        return
    require_postgres()
    from corebank.devserver import throwaway_postgres

    with throwaway_postgres("responses_test") as url:
        s = Store.open(url)
        yield s
        s.engine.dispose()


def test_seed_review_publish_record_restore(store):
    assert store.seed(FILES) == 2
    assert store.seed(FILES) == 0  # the second start publishes nothing
    catalog, version = store.published()
    assert catalog == FILES and version == 2

    change = store.propose("en", "utter_hi", [{"text": "Hello"}], "dana")
    with pytest.raises(ReviewError, match="second person"):
        store.approve(change.id, "dana")
    assert store.published()[0]["en"]["utter_hi"] == [{"text": "Hi"}]
    store.approve(change.id, "rita")
    assert store.published()[0]["en"]["utter_hi"] == [{"text": "Hello"}]
    with pytest.raises(ReviewError):
        store.approve(change.id, "roman")  # once

    first = store.history("en", "utter_hi")[-1]
    restore = store.propose("en", "utter_hi", [{"text": "Hi"}], "dana", restored_from=first.id)
    store.approve(restore.id, "rita")
    assert store.published()[0]["en"]["utter_hi"] == [{"text": "Hi"}]
    actions = [(e.action, e.actor) for e in store.audit("en", "utter_hi")]
    assert actions == [("approved", "rita"), ("proposed", "dana"), ("approved", "rita"),
                       ("proposed", "dana"), ("seeded", "catalog-files")]

    # a text changed in the files (reviewed in git, deployed) is published on the next start
    assert store.seed({"en": {**FILES["en"], "utter_bye": [{"text": "Bye now"}]}}) == 1
    assert store.published()[0]["en"]["utter_bye"] == [{"text": "Bye now"}]


def test_a_change_against_an_older_text_is_refused(store):
    store.seed(FILES)
    first = store.propose("en", "utter_bye", [{"text": "Ciao"}], "dana")
    second = store.propose("en", "utter_bye", [{"text": "So long"}], "denys")
    store.approve(first.id, "rita")
    with pytest.raises(ReviewError, match="changed since"):
        store.approve(second.id, "rita")
    store.reject(second.id, "rita")
    assert store.pending() == []
