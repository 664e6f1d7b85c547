"""The referral actions against the real sandbox over HTTP: the invitation code and link per
messenger, a typed code (valid, unknown, expired, own), a verified deep link (and the same
parameter from an unverified channel), the welcome line when the card is issued and in card
info, the reward message, the bank down."""

from __future__ import annotations

from actions.cards.info import ActionCardInfo
from actions.cards.issue import ActionIssueBasicCard
from actions.referrals.invite import ActionReferral
from actions.referrals.notify import ActionNotifyReferralReward
from actions.referrals.start import ActionDeepLinkStart
from tests.actions.helpers import make_tracker, responses, run, texts
from tests.actions.login import login, new_sender, random_phone

ANNA_CODE = "INVANNA26"  # corebank/seed.py
EXPIRED_CODE = "INVTARAS1"


def referral(sender: str, text: str, channel: str = "rest"):
    return make_tracker(sender, text, "referral", slots={"logged_in": True}, channel=channel)


def one(messages: list[dict]) -> dict:
    [message] = [m for m in messages if m.get("response")]
    return message


async def test_my_code_link_and_results(bank, corebank, monkeypatch):
    sender = new_sender()
    await login(bank, corebank, sender)  # Anna
    _, messages = await run(ActionReferral(), referral(sender, "my invite link"))
    info = one(messages)
    assert info["response"] == "utter_referral_info" and info["code"] == ANNA_CODE
    assert info["link_text"] == ""  # REST: the plain code
    assert info["reward"] == "100.00 UAH" and info["cap"] == "500.00 UAH"
    monkeypatch.setenv("TELEGRAM_BOT_NAME", "bank_bot")
    tg = new_sender()
    corebank.login("+380501112233", f"telegram:{tg}")
    _, messages = await run(ActionReferral(), referral(tg, "invite link", channel="telegram"))
    assert one(messages)["link_text"] == f" Your link to share: https://t.me/bank_bot?start={ANNA_CODE}"


async def test_typed_codes_and_the_welcome_on_the_first_card(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender, phone=random_phone())
    _, messages = await run(ActionReferral(), referral(sender, "my code is INVNOPE99"))
    assert one(messages)["response"] == "utter_referral_unknown_code"
    _, messages = await run(ActionReferral(), referral(sender, f"code {EXPIRED_CODE.lower()}"))
    assert one(messages)["response"] == "utter_referral_expired_code"
    _, messages = await run(ActionReferral(), referral(
        sender, f"hi i got an invitation code from my friend {ANNA_CODE}"))
    joined = one(messages)
    assert joined["response"] == "utter_referral_attributed"
    assert (joined["inviter"], joined["welcome"]) == ("Anna", "a 50.00 UAH welcome bonus")
    _, messages = await run(ActionReferral(), referral(sender, f"code {ANNA_CODE}"))
    assert one(messages)["response"] == "utter_referral_already"
    # the first card: the welcome line, and the bonus on the account
    tracker = make_tracker(sender, "Petro Bondar", "inform", slots={
        "logged_in": True, "card_holder_name": "Petro Bondar"})
    _, messages = await run(ActionIssueBasicCard(), tracker)
    assert "utter_card_issued_basic" in responses(messages)
    welcome = ("🎁 Welcome bonus: 50.00 UAH for joining with Anna's invitation, credited to "
               "your account.")
    assert welcome in texts(messages)
    _, messages = await run(ActionCardInfo(), make_tracker(sender, "card conditions",
                                                           "card_info"))
    assert welcome in texts(messages)
    balances = await bank.accounts.balances(f"rest:{sender}")
    assert [str(a.balance) for a in balances if a.currency == "UAH"] == ["50.00"]
    # now a card holder: another code is refused
    _, messages = await run(ActionReferral(), referral(sender, f"code {ANNA_CODE}"))
    assert one(messages)["response"] in ("utter_referral_already", "utter_referral_not_new")


async def test_own_code(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender)  # Anna
    _, messages = await run(ActionReferral(), referral(sender, f"apply code {ANNA_CODE}"))
    assert one(messages)["response"] == "utter_referral_own_code"


def start(sender: str, channel: str, param: str):
    tracker = make_tracker(sender, "/deep_link_start", "deep_link_start", channel=channel)
    tracker.latest_message["metadata"] = {"channel": channel, "start_param": param}
    return tracker


async def test_deep_link_from_a_verified_messenger_attributes(bank, corebank):
    sender = new_sender()
    _, messages = await run(ActionDeepLinkStart(), start(sender, "telegram", ANNA_CODE))
    hello = one(messages)
    assert hello["response"] == "utter_deep_link_welcome"
    assert hello["intro"] == "Anna invited you: with your card you get a 50.00 UAH welcome bonus."
    _, messages = await run(ActionDeepLinkStart(), start(new_sender(), "viber", "pc_twitch"))
    assert one(messages)["intro"] == ("Welcome from the Twitch campaign: with your card you get "
                                      "+10% extra cashback at Twitch for 30 days.")
    _, messages = await run(ActionDeepLinkStart(), start(new_sender(), "facebook", "INVZZZZ99"))
    assert one(messages)["intro"].startswith("That invitation link isn't valid")
    # the same parameter from a channel whose caller writes the metadata: only the greeting
    _, messages = await run(ActionDeepLinkStart(), start(new_sender(), "rest", ANNA_CODE))
    assert responses(messages) == ["utter_greet"]
    _, messages = await run(ActionDeepLinkStart(), start(new_sender(), "telegram", "x" * 80))
    assert responses(messages) == ["utter_greet"]


async def test_deep_link_with_the_bank_down_still_greets(bank, corebank):
    corebank.set_faults(error_rate=1.0, paths=["/api/v1/referrals"])
    _, messages = await run(ActionDeepLinkStart(), start(new_sender(), "telegram", ANNA_CODE))
    assert one(messages)["intro"].startswith("I couldn't check your invitation right now")


async def test_referral_with_the_bank_down(bank, corebank):
    sender = new_sender()
    await login(bank, corebank, sender)
    corebank.set_faults(error_rate=1.0, paths=["/api/v1/me/referral"])
    _, messages = await run(ActionReferral(), referral(sender, "my invite link"))
    assert responses(messages) == ["utter_bank_unavailable"]


async def test_reward_message():
    tracker = make_tracker("s", "", "EXTERNAL_referral_rewarded")
    tracker.latest_message["entities"] = [
        {"entity": "amount", "value": "100.00"}, {"entity": "currency", "value": "UAH"},
        {"entity": "balance", "value": "25100.00"}, {"entity": "note", "value": "Petro"}]
    _, messages = await run(ActionNotifyReferralReward(), tracker)
    said = one(messages)
    assert (said["friend"], said["amount"], said["balance"]) == (
        "Petro", "100.00 UAH", "25,100.00 UAH")
