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


# Issue 22: phrasings by kind of secret, in English, Ukrainian and Russian, typed unasked (the
# bot asked for nothing) or in answer to a question, in free word order. Each template is
# crossed with every value of its kind. Values appear nowhere else in the templates.
BY_KIND: dict[str, tuple[list[str], list[str]]] = {
    "cvv": ([
        "cvc2 on the back says {}", "the three digits on the back are {}",
        "code on the back of my card: {}", "security code on the back is {}",
        "cvv for that card — {}", "here's the cvv {} hurry", "CVV2/CVC2: {}",
        "the 3-digit code is {}", "back of the card says {}", "cvv? sure, {}",
        "security number {}", "and the cvc is probably {} or so",
        "cvv на звороті {}", "три цифри на звороті картки: {}", "код на звороті — {}",
        "свв код {}", "cvv-код картки {}", "цифри ззаду {}", "на звороті написано {}",
        "cvv на обороте {}", "три цифры сзади {}", "код с обратной стороны карты: {}",
        "цвв {}", "код безопасности {}", "секретный код {}", "на обороте карты {}",
    ], ["847", "305", "619"]),
    "pin": ([
        "pin for my card is {}", "my card pin — {}", "pin number {}", "the pin i set was {}",
        "PIN-code: {}", "pin?? {}", "my pin... hmm {}", "new pin will be {}",
        "пін від картки {}", "пін-код картки — {}", "мій пін такий: {}", "пінкод {}",
        "пин от карты {}", "мой пин будет {}", "пин-код карты: {}", "пинкод {}",
    ], ["4921", "7302", "0586"]),
    "otp": ([
        "the code you sent is {}", "got the code: {}", "here is the sms code {}",
        "code from the text message {}", "the code is {} i think", "otp came: {}",
        "your sms said {}", "verification code {}", "ok the code {}", "login code {}",
        "the text says {}", "codes: {}",
        "код який прийшов: {}", "ось код {}", "код із смс {}", "прийшов код {}", "смс-код {}",
        "код підтвердження {}", "код з смски {}",
        "код из смс {}", "пришел код {}", "вот код {}", "код подтверждения: {}", "смс код {}",
        "смска пришла {}",
    ], ["581 204", "662-913", "301928", "58 12 04", "4471 02"]),
    "password": ([
        "my password for the app is {}", "login pass: {}", "pass: {}",
        "password to online banking = {}", "my pw is {}", "the password i use is {}",
        "password would be {}", "my banking password? it's {}", "login: anna, pass: {}",
        "password — {}", "pwd={}",
        "мій пароль від додатку {}", "пароль до застосунку: {}",
        "пароль від інтернет-банкінгу — {}", "ось мій пароль {}", "пароль такий: {}",
        "мой пароль от приложения {}", "пароль для входа: {}", "пароль от банка — {}",
        "вот пароль {}", "логин и пароль: anna {}",
    ], ["Kvitka#2024", "hunter2x", "Sonce_77", "Zx81spec!"]),
    "passport": ([
        "паспорт серія КВ номер {}", "серія і номер паспорта: КВ {}", "паспорт КВ № {}",
        "мій паспорт — серія МЕ, номер {}", "номер id-картки {}", "паспорт: {}",
        "паспорт серия МЕ номер {}", "серия и номер паспорта МЕ {}", "номер паспорта: {}",
        "паспортные данные: МЕ {}",
        "passport series AB number {}", "my passport: series KM, no {}", "passport # {}",
        "id card number is {}", "document number {}", "passport details: AB {} issued 2015",
    ], ["583920", "771204", "004512398"]),
    "tax id": ([
        "ІПН {}", "мій ІПН: {}", "РНОКПП {}", "ідентифікаційний код {}",
        "ідентифікаційний номер — {}", "податковий номер {}", "код ДРФО {}", "{} це мій ІПН",
        "ИНН {}", "мой ИНН — {}", "идентификационный код: {}", "налоговый номер {}",
        "{} мой ИНН",
        "tax id {}", "tax number: {}", "my TIN is {}", "taxpayer number {}",
        "tax identification number {}", "ipn {}", "rnokpp: {}", "tax code {}",
        "{} is my tax id",
    ], ["3012409876", "2894511237", "30124 09876"]),
}


def _by_kind() -> list[tuple[str, str]]:
    out = []
    for templates, values in BY_KIND.values():
        for template in templates:
            # every value bare, the last one also inside a longer message (three per template
            # keeps the full-stack run, which sends each through Rasa, short)
            for value in values[:2]:
                out.append((template.format(value), value))
            out.append((f"Sorry, {template.format(values[-1])}. ok?", values[-1]))
    return out


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
    return out + _by_kind()


CORPUS = list(dict.fromkeys(_corpus()))  # unique messages

HARMLESS = [
    "send 5000 uah", "123456789012", "+380501234567", "+38 050 123 45 67", "send 1 500.50 UAH",
    "UA21 3223 1300 0002 6007 2335 6600 1", "what is a pin code?",
    "how do I change my password", "my postal code is 01001", "promo code 12345",
    "0.0004631973273535", "1732633614.6598902", "2026-11-26 15:06:54,123", "version 3.6.21",
    "top up 250 from my other card", "send 300 to Taras", "I forgot my pin", "пароль забув",
    "скільки коштує переказ 1000 грн", "ctok_AbCdEfGhIjKlMnOp", "otok_AbCdEfGhIjKlMnOp",
    # issue 22/27: near the words of a secret, but not one
    "what is a cvv?", "where do I find the code on the back", "I didn't get the code",
    "send the code again please", "the code didn't come, my phone is +380501234567",
    "what is РНОКПП", "де взяти ІПН?", "send 500 uah with the code", "pin for 300 uah?",
    "Loading model models/20241206-135750-buoyant-scallop.tar.gz",
    "2024-12-06 13:57:50,123 INFO request took 1234 ms", "status code 500",
    "HTTP error code 404", "промокод 2024", "QR code for 350 грн", "передай пароль пізніше",
]
