"""A corpus of sensitive messages in the shapes customers really type (tests/security).

`CORPUS` is a list of (message, secret) pairs: after redaction the secret must be gone (for
card numbers: no 8 of its digits in a row). `HARMLESS` must come through unchanged. Built from
templates so each shape is crossed with several values; at least 200 sensitive messages.
"""

from __future__ import annotations

VALID_PANS = ["4111111111111111", "5555555555554444", "5168740000000016", "378282246310005",
              "4149490000000023"]
INVALID_PANS = ["4111111111111112", "5555555555554445", "4149490000000024", "6011000990139425"]


def _grouped(pan: str, sep: str) -> str:
    if len(pan) == 15:  # Amex 4-6-5
        return sep.join([pan[:4], pan[4:10], pan[10:]])
    return sep.join(pan[i:i + 4] for i in range(0, len(pan), 4))


CARD_SEPARATORS = ["", " ", "-", ".", "/", "_", "  ", "   ", " - ", "\t", "\n", " / "]
NON_ASCII_DIGITS = {  # the same number in other scripts
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩", "fullwidth": "０１２３４５６７８９", "devanagari": "०१२३४५६७८९",
}


def _script(pan: str, digits: str) -> str:
    return "".join(digits[int(ch)] for ch in pan)


CARD_TEMPLATES = ["{}", "send 500 to {}", "my card is {}", "card: {}", "переказ на {} будь ласка",
                  "переведи 200 на карту {}", "the number {} thanks"]

SECRET_PHRASES = [
    # (template, value): the value must not survive
    ("my pin is {}", "4921"), ("pin: {}", "7302"), ("PIN - {}", "5811"), ("pin... {}", "6620"),
    ("pin={}", "1397"), ("pin, {}", "8053"), ("pin ({})", "2716"), ("pin «{}»", "9048"),
    ("{} is my pin", "3365"), ("{} - my new pin", "4482"), ("{} pin", "5129"),
    ("cvv {}", "847"), ("cvv2: {}", "619"), ("CVC is {}", "305"), ("{} is the cvv", "772"),
    ("security code {}", "514"), ("the 3 digits on the back, cvv = {}", "238"),
    ("code {}", "482913"), ("the code from sms {}", "771204"), ("code in the text: {}", "665201"),
    ("sms says {}", "390127"), ("{} is the code", "118830"), ("otp {}", "902114"),
    ("verification code: {}", "447201"), ("one-time code is {}", "550123"),
    ("password: {}", "hunter2"), ("my password is {}", "Tr0ub4dor&3"), ("pwd {}", "qwerty123"),
    ("passcode = {}", "s3cr3t!"), ("{} is my password", "Zx81spectrum9"),
    ("пароль {}", "kvitka2024"), ("мій пароль: {}", "Sonce_77"), ("пароль - {}", "parol123"),
    ("мій пін {}", "4455"), ("пін-код: {}", "1029"), ("пин {}", "3847"), ("мой пин-код {}", "5566"),
    ("{} мій пін", "7781"), ("код з смс {}", "301928"), ("код из смс: {}", "558120"),
    ("одноразовий код {}", "660312"), ("свв {}", "431"), ("cvv-код {}", "902"),
    ("тризначний код {}", "117"),
    ("passport AB123456", "AB123456"), ("passport number: {}", "123456789"),
    ("my passport no. is {}", "ab 1234567"), ("{} is my passport", "KM654321"),
    ("id card {}", "004512398"), ("ID-card number: {}", "001234567"),
    ("паспорт {}", "КВ 123456"), ("мій паспорт: {}", "МЕ654321"), ("номер паспорта {}", "АА112233"),
    ("id-картка {}", "003344556"), ("ID-картки № {}", "000123987"),
    ("запис № {}", "19950312-01234"),
    ("УНЗР {}", "20010101-00077"),
]
SECRET_PHRASES += [
    ("HTTP Request: POST http://127.0.0.1:5005/conversations/x/trigger_intent"
     "?output_channel=latest&token={} \"HTTP/1.1 200 OK\"", "s3cr3tRasaT0ken"),
    ("GET /conversations/a/tracker?token={}", "AbC123xyz789"),
    ("card details: http://127.0.0.1:8800/secure/{}", "Zq3x9VbN0aLkT7pYw2sR"),
]
SPELLED = [
    ("my pin is {}", "one two three four"), ("pin: {}", "nine eight seven six"),
    ("cvv {}", "four four two"), ("code is {}", "five five one two three four"),
    ("пін {}", "один два три чотири"), ("пин-код {}", "девять восемь семь шесть"),
    ("пароль {}", "сім вісім дев'ять нуль"),
]
# Values that appear nowhere else in a run: a PIN of "4567" matched the masked demo phone
# (+38067•••4567) in the sandbox's SMS log line, a false finding.
METADATA = [
    ({"cvv": "123"}, "123"), ({"pin": "5824"}, "5824"), ({"password": "hunter22"}, "hunter22"),
    ({"otp": "482913"}, "482913"), ({"card_number": "4111111111111111"}, "4111111111111111"),
    ({"passport_number": "AB123456"}, "AB123456"), ({"nested": {"PIN_CODE": 9911}}, "9911"),
    ({"note": "pin 2468"}, "2468"), ({"form": [{"cvc2": "731"}]}, "731"),
]


def _corpus() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for pan in VALID_PANS + INVALID_PANS:
        for sep in CARD_SEPARATORS:
            out.append((_grouped(pan, sep), pan))
        for template in CARD_TEMPLATES:
            out.append((template.format(_grouped(pan, " ")), pan))
        for digits in NON_ASCII_DIGITS.values():
            out.append((f"card {_script(pan, digits)}", pan))
    for template, value in SECRET_PHRASES + SPELLED:
        text = template.format(value) if "{}" in template else template
        out.append((text, value))
        out.append((f"Hi! {text[:1].upper()}{text[1:]}. Thanks", value))  # in a sentence
    return out


CORPUS = list(dict.fromkeys(_corpus()))  # unique messages

HARMLESS = [
    "send 5000 uah", "123456789012", "+380501234567", "+38 050 123 45 67", "send 1 500.50 UAH",
    "UA21 3223 1300 0002 6007 2335 6600 1", "what is a pin code?",
    "how do I change my password", "my postal code is 01001", "promo code 12345",
    "0.0004631973273535", "1732633614.6598902", "2026-11-26 15:06:54,123", "version 3.6.21",
    "top up 250 from my other card", "send 300 to Taras", "I forgot my pin", "пароль забув",
    "скільки коштує переказ 1000 грн", "ctok_AbCdEfGhIjKlMnOp", "otok_AbCdEfGhIjKlMnOp",
]
