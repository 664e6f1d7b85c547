"""The small scripts behind make's QA and designer steps: the story-test verdict, the NLU
figures on the console, `make validate` hiding only what is used on purpose, and interactive
learning exporting into the scratch directory on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from scripts import nlu_report, story_report, validate_data
from scripts.services import REPO_ROOT

ALL_GOOD = "# None of the test stories failed - all good!\n"


def write_story_results(out: Path, failed_text: str, correct: int, total: int) -> None:
    (out / "failed_test_stories.yml").write_text(failed_text)
    (out / "story_report.json").write_text(json.dumps(
        {"conversation_accuracy": {"accuracy": correct / total, "correct": correct,
                                   "with_warnings": 0, "total": total}}))


def test_story_test_passes_only_when_every_story_passed(tmp_path: Path) -> None:
    write_story_results(tmp_path, ALL_GOOD, 12, 12)
    assert story_report.main([str(tmp_path)]) == 0


def test_story_test_fails_after_the_full_report_naming_the_failed_stories(tmp_path, capsys):
    failed = "version: \"3.1\"\nstories:\n- story: lock (./tests/stories/test_cards.yml)\n"
    write_story_results(tmp_path, failed, 11, 12)
    assert story_report.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "11 of 12" in err and str(tmp_path / "failed_test_stories.yml") in err


def test_story_test_fails_when_rasa_wrote_no_report(tmp_path: Path) -> None:
    assert story_report.main([str(tmp_path)]) == 1


def test_the_nlu_accuracy_is_printed(tmp_path: Path, capsys) -> None:
    (tmp_path / "intent_report.json").write_text(json.dumps({
        "accuracy": 0.9375, "macro avg": {"f1-score": 0.9}, "weighted avg": {"f1-score": 0.93,
                                                                             "support": 160}}))
    assert nlu_report.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "accuracy 93.8%" in out and "160 examples" in out


def domain() -> dict:
    return yaml.safe_load((REPO_ROOT / "domain.yml").read_text())


def warning(text: str) -> str:
    return f"\x1b[93m/x/site-packages/rasa/shared/utils/io.py:100: UserWarning: {text}\n\x1b[0m"


def test_validate_hides_names_used_on_purpose_and_keeps_the_rest() -> None:
    on_purpose = validate_data.used_on_purpose(domain())
    form = next(iter(domain()["forms"]))
    unused = "The utterance '{}' is not used in any story or rule."
    # asked by a form, uttered by Rasa's restart, sent from an action's code
    for name in (f"utter_ask_{form}_otp_code", "utter_restart"):
        assert validate_data.is_on_purpose(warning(unused.format(name)), on_purpose), name
    sent_by_code = next(r for r in domain()["responses"] if r in on_purpose
                        and not r.startswith("utter_ask_") and r != "utter_restart")
    assert validate_data.is_on_purpose(warning(unused.format(sent_by_code)), on_purpose)
    # a response nothing uses is still reported, and so is any other warning
    assert not validate_data.is_on_purpose(warning(unused.format("utter_nobody_sends_this")),
                                           on_purpose)
    assert not validate_data.is_on_purpose(
        warning("Issue found while processing 'data/x.yml': something"), on_purpose)


def test_validate_cuts_rasas_output_into_whole_messages() -> None:
    output = (warning("The utterance 'utter_a' is not used in any story or rule.")
              + "2026-12-08 03:51:48 INFO     rasa.validator  - Validating utterances...\n"
              + warning("Issue found: item\nThis training example will be skipped.\n  More info"))
    parts = validate_data.messages(output)
    assert len(parts) == 3 and "This training example will be skipped" in parts[2]


def test_interactive_learning_exports_to_scratch_on_loopback_with_a_token() -> None:
    """scripts/interactive.py's patches on Rasa's real interactive module, around stand-ins for
    the parts that would prompt, serve or build the app."""
    import asyncio

    from rasa.core import run as core_run
    from rasa.core.training import interactive
    from sanic import Sanic

    from scripts import interactive as wrapper

    saved = (interactive._request_export_info, Sanic.run, core_run.configure_app,
             interactive.EndpointConfig, dict(interactive.PATHS))
    seen: dict = {}

    async def questions():
        seen["paths"] = dict(interactive.PATHS)
        return "s", "n", "d"

    def serve(self, *args, **kwargs):
        seen["serve"] = kwargs

    def configure_app(*args, **kwargs):
        seen["app"] = kwargs

    try:
        interactive._request_export_info, Sanic.run, core_run.configure_app = (
            questions, serve, configure_app)
        wrapper.install("test-secret-0123456789")
        interactive.PATHS["domain"] = "domain.yml"  # what `rasa interactive` sets from --domain
        asyncio.run(interactive._request_export_info())
        for key in ("stories", "nlu", "domain"):
            assert Path(seen["paths"][key]).parent == wrapper.SCRATCH, key
        Sanic.run(object(), host="0.0.0.0", port=5005)
        assert seen["serve"]["host"] == "127.0.0.1"
        core_run.configure_app(port=5005, enable_api=True)
        assert seen["app"]["jwt_secret"] == "test-secret-0123456789"
        endpoint = interactive.EndpointConfig(url="http://127.0.0.1:5005")
        assert endpoint.headers["Authorization"].startswith("Bearer ")
    finally:
        (interactive._request_export_info, Sanic.run, core_run.configure_app,
         interactive.EndpointConfig) = saved[:4]
        interactive.PATHS.clear()
        interactive.PATHS.update(saved[4])


def test_the_generated_env_file_has_every_variable_rasas_files_name(tmp_path: Path) -> None:
    """README's recipe: `set -a; . ./.env; set +a; rasa shell` must find every ${VAR} of
    endpoints.yml and credentials.yml (Rasa refuses to start on an unset one), ACTION_SERVER_URL
    included (once only a Makefile default)."""
    import re

    from scripts import gen_env

    env_file = tmp_path / ".env"
    gen_env.main(env_file)
    keys = gen_env.existing_keys(env_file)
    for name in ("endpoints.yml", "credentials.yml"):
        text = re.sub(r"#.*", "", (REPO_ROOT / name).read_text())
        needed = set(re.findall(r"\$\{(\w+)\}", text))
        assert needed <= keys, (name, needed - keys)
