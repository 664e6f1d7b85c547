"""scripts/extract_catalog.py: the re-runnable move of texts from domain.yml to the catalog, on a
small domain in a temporary directory (the lead runs it again after merging other branches)."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from scripts.extract_catalog import extract

DOMAIN_WITH_TEXTS = """version: "3.1"

intents:
  - greet

slots:
  logged_in:
    type: bool
    influence_conversation: true
    mappings:
      - type: custom

responses:
  # === basics: greetings ====================================================================
  utter_greet:
    # shown on "hi"
    - text: "Hi {name}!"
      buttons: &menu
        - title: "Balance"
          payload: /check_balance
  utter_goodbye:
    - text: "Bye"

  # === auth: the login gate =================================================================
  utter_login_needed:
    - text: "Log in first"
      buttons: *menu
"""


def load(path: Path):
    return YAML(typ="safe", pure=True).load(path.read_text())


def make_project(tmp_path: Path, text: str = DOMAIN_WITH_TEXTS) -> tuple[Path, Path]:
    domain, catalog = tmp_path / "domain.yml", tmp_path / "responses"
    domain.write_text(text)
    return domain, catalog


def test_texts_move_to_the_catalog_by_section_and_a_second_run_changes_nothing(tmp_path):
    domain, catalog = make_project(tmp_path)
    assert extract(domain=domain, catalog=catalog)
    data = load(domain)
    assert data["responses"] == {"utter_greet": [], "utter_goodbye": [],
                                 "utter_login_needed": []}
    assert data["slots"]["language"]["initial_value"] == "en"
    assert data["intents"] == ["greet"]  # the rest of the domain untouched
    basics, auth = load(catalog / "en" / "basics.yml"), load(catalog / "en" / "auth.yml")
    assert basics["utter_greet"][0]["text"] == "Hi {name}!"
    assert auth["utter_login_needed"][0]["buttons"] == [{"title": "Balance",
                                                          "payload": "/check_balance"}]
    assert "# shown on" in (catalog / "en" / "basics.yml").read_text()  # comments move too
    snapshot = {p: p.read_text() for p in [domain, *catalog.rglob("*")] if p.is_file()}
    assert extract(check=True, domain=domain, catalog=catalog) == []
    assert extract(domain=domain, catalog=catalog) == []
    assert {p: p.read_text() for p in snapshot} == snapshot


def test_after_a_merge_changed_domain_texts_win_unchanged_ones_keep_catalog_edits(tmp_path):
    domain, catalog = make_project(tmp_path)
    extract(domain=domain, catalog=catalog)
    basics = catalog / "en" / "basics.yml"
    basics.write_text(basics.read_text().replace("Bye", "Bye for now"))  # edited in the catalog
    # the lead merges a branch that still has the texts in domain.yml, one of them edited,
    # one response new
    merged = DOMAIN_WITH_TEXTS.replace('"Log in first"', '"Please log in first"') + (
        '  utter_logged_out:\n    - text: "You are out"\n')
    domain.write_text(merged)
    changes = extract(domain=domain, catalog=catalog)
    assert any("utter_login_needed" in c for c in changes)
    assert load(basics)["utter_goodbye"][0]["text"] == "Bye for now"  # catalog edit kept
    auth = load(catalog / "en" / "auth.yml")
    assert auth["utter_login_needed"][0]["text"] == "Please log in first"  # domain edit wins
    assert auth["utter_logged_out"][0]["text"] == "You are out"  # new response added
    assert all(v == [] for v in load(domain)["responses"].values())
    assert extract(check=True, domain=domain, catalog=catalog) == []


def test_a_response_only_in_the_catalog_is_kept(tmp_path):
    domain, catalog = make_project(tmp_path)
    extract(domain=domain, catalog=catalog)
    domain.write_text(DOMAIN_WITH_TEXTS.replace('  utter_goodbye:\n    - text: "Bye"\n', ""))
    extract(domain=domain, catalog=catalog)
    assert load(catalog / "en" / "basics.yml")["utter_goodbye"][0]["text"] == "Bye"
    assert "utter_goodbye" not in load(domain)["responses"]


def test_the_real_domain_and_catalog_are_in_step():
    assert extract(check=True) == [], "run `.venv/bin/python -m scripts.extract_catalog`"
