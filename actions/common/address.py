"""Addresses as people type them: "I live at 12 Khreshchatyk St, apt 5, Kyiv 01001",
"Khreshchatyk 12, Kyiv", "вул. Хрещатик, 12, кв. 5, Київ", "01001 Kyiv, Khreshchatyk str. 12".

House number first or last, street-type abbreviations (St, str., Ave, Blvd, вул., просп., …),
an apartment (apt 5, flat 5, кв. 5), a 5-digit postcode and the city in any order.
`parse_address` gives the parts it found and what is missing, so a form asks only for that
("Which city?"), and `Address.text` is the normalised form shown to the customer to confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

LEAD_RE = re.compile(
    r"^\s*(?:(?:i|we)\s+live\s+(?:at|in|on)|(?:my|the|our)\s+(?:home\s+|delivery\s+)?address\s+"
    r"is|address\s*:|deliver\s+(?:it\s+)?to|send\s+(?:it\s+)?to|ship\s+(?:it\s+)?to|to|at)\s*:?\s*",
    re.IGNORECASE,
)
POSTCODE_RE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
APARTMENT_RE = re.compile(
    r"(?:,\s*)?\b(?:apt|apartment|app|flat|fl|unit|kv|кв|квартира|кварт)\b\.?\s*(?:no\.?|#|№)?\s*"
    r"(\d{1,4}[a-zа-яієї]?)\b",
    re.IGNORECASE,
)
# Street types: what customers type → how the normalised address writes it.
STREET_TYPES = {
    "st": "St", "st.": "St", "str": "St", "str.": "St", "street": "St",
    "ave": "Ave", "ave.": "Ave", "avenue": "Ave", "prospekt": "Ave", "prosp": "Ave",
    "prosp.": "Ave", "blvd": "Blvd", "blvd.": "Blvd", "boulevard": "Blvd", "bulvar": "Blvd",
    "rd": "Rd", "rd.": "Rd", "road": "Rd", "ln": "Ln", "lane": "Ln", "sq": "Sq", "square": "Sq",
    "vul": "vul.", "vul.": "vul.", "vulytsia": "vul.",
    "вул": "вул.", "вул.": "вул.", "вулиця": "вул.", "ул": "вул.", "ул.": "вул.",
    "просп": "просп.", "просп.": "просп.", "проспект": "просп.", "пр-т": "просп.",
    "бульв": "бульв.", "бульв.": "бульв.", "бульвар": "бульв.", "пров": "пров.",
    "пров.": "пров.", "провулок": "пров.", "пл": "пл.", "пл.": "пл.", "площа": "пл.",
}  # fmt: skip
_TYPE_WORDS = sorted(STREET_TYPES, key=len, reverse=True)
_TYPE_RE = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(w) for w in _TYPE_WORDS) + r")(?![\w])", re.IGNORECASE)
HOUSE_RE = re.compile(r"(?<![\w])(\d{1,4}(?:\s?[a-zа-яієї])?(?:/\d{1,3})?)(?![\w])", re.I)
# Cities a customer may type without a comma before or after them.
KNOWN_CITIES = {
    "kyiv": "Kyiv", "kiev": "Kyiv", "київ": "Київ", "lviv": "Lviv", "львів": "Львів",
    "kharkiv": "Kharkiv", "харків": "Харків", "odesa": "Odesa", "odessa": "Odesa",
    "одеса": "Одеса", "dnipro": "Dnipro", "дніпро": "Дніпро", "zaporizhzhia": "Zaporizhzhia",
    "vinnytsia": "Vinnytsia", "poltava": "Poltava", "chernihiv": "Chernihiv",
    "ivano-frankivsk": "Ivano-Frankivsk", "ternopil": "Ternopil", "lutsk": "Lutsk",
    "uzhhorod": "Uzhhorod", "chernivtsi": "Chernivtsi", "sumy": "Sumy", "rivne": "Rivne",
    "zhytomyr": "Zhytomyr", "mykolaiv": "Mykolaiv", "kherson": "Kherson", "irpin": "Irpin",
    "bila tserkva": "Bila Tserkva", "cherkasy": "Cherkasy", "kropyvnytskyi": "Kropyvnytskyi",
}  # fmt: skip
_CITY_RE = re.compile(r"(?<![\w-])(" + "|".join(
    re.escape(c) for c in sorted(KNOWN_CITIES, key=len, reverse=True)) + r")(?![\w-])", re.I)
QUESTIONS = {
    "street": "Which street? For example: Khreshchatyk St 12.",
    "house": "Which house number on {street}?",
    "city": "Which city?",
}


@dataclass(frozen=True)
class Address:
    street: str | None = None  # "Khreshchatyk St", "вул. Хрещатик"
    house: str | None = None  # "12", "12A", "12/3"
    apartment: str | None = None
    city: str | None = None
    postal_code: str | None = None

    @property
    def missing(self) -> list[str]:
        return [part for part in ("street", "house", "city") if not getattr(self, part)]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def street_line(self) -> str:
        """"Khreshchatyk St 12, apt 5": what a delivery service needs before the city."""
        line = " ".join(p for p in (self.street, self.house) if p)
        return f"{line}, apt {self.apartment}" if self.apartment else line

    @property
    def text(self) -> str:
        """The normalised address: "Khreshchatyk St 12, apt 5, Kyiv, 01001"."""
        return ", ".join(p for p in (self.street_line, self.city, self.postal_code) if p)

    def question(self) -> str | None:
        """What to ask for next (only what is missing), or None when complete."""
        if not self.missing:
            return None
        part = self.missing[0]
        if part == "house" and not self.street:
            part = "street"
        return QUESTIONS[part].format(street=self.street or "that street")

    def merged(self, other: Address) -> Address:
        """This (partial) address completed by what `other` adds (the answer to a question)."""
        return replace(self, **{k: v for k, v in other.__dict__.items()
                                if v and not getattr(self, k)})


def _clean(text: str) -> str:
    return " ".join(text.replace(";", ",").split()).strip(" ,.")


def _street(piece: str) -> tuple[str | None, str | None]:
    """"12 Khreshchatyk St" / "вул. Хрещатик 12" / "Khreshchatyk" → (street, house)."""
    house = None
    houses = HOUSE_RE.findall(piece)
    if houses:
        house = houses[-1].replace(" ", "").upper() if len(houses) == 1 else houses[0]
        house = house.replace(" ", "")
        piece = HOUSE_RE.sub(" ", piece, count=1)
    piece = re.sub(r"\b(?:house|bldg|building|буд|будинок)\b\.?", " ", piece, flags=re.I)
    street_type = None
    if m := _TYPE_RE.search(piece):
        street_type = STREET_TYPES[m.group(1).lower()]
        piece = piece[: m.start()] + " " + piece[m.end():]
    name = " ".join(piece.replace(",", " ").split()).strip(" .-")
    if not name or not any(c.isalpha() for c in name):
        return None, house
    name = " ".join(w[:1].upper() + w[1:] for w in name.split())
    if street_type is None:
        return name, house
    return (f"{street_type} {name}" if street_type.endswith(".") else f"{name} {street_type}",
            house)


def parse_address(text: str) -> Address:
    """The parts of an address found in `text` (see the module's docstring)."""
    text = LEAD_RE.sub("", text or "", count=1)
    postal = None
    if m := POSTCODE_RE.search(text):
        postal, text = m.group(1), text[: m.start()] + " , " + text[m.end():]
    apartment = None
    if m := APARTMENT_RE.search(text):
        apartment, text = m.group(1), text[: m.start()] + " , " + text[m.end():]
    city = None
    pieces = [_clean(p) for p in text.split(",") if _clean(p)]
    if m := _CITY_RE.search(text):
        city = KNOWN_CITIES[m.group(1).lower()]
        pieces = [_clean(_CITY_RE.sub(" ", p, count=1)) if _CITY_RE.search(p) else p
                  for p in pieces]
        pieces = [p for p in pieces if p]
    elif len(pieces) >= 2:
        # The city is the piece without digits that is not a street (usually the last one).
        for piece in reversed(pieces):
            if not any(c.isdigit() for c in piece) and not _TYPE_RE.search(piece):
                city = " ".join(w[:1].upper() + w[1:] for w in piece.split())
                pieces.remove(piece)
                break
    street = house = None
    if pieces:
        # "Khreshchatyk, 12": the house number may be a piece of its own.
        joined = " ".join(pieces)
        street, house = _street(joined)
    return Address(street=street, house=house, apartment=apartment, city=city,
                   postal_code=postal)


def previous_answer(events: list[dict], form: str, slot: str = "delivery_address") -> str | None:
    """The customer's previous message when `form` asked for `slot` again right after it (an
    address with a part missing): the new message may be only that part ("Kyiv"). Asked again
    means the form set `requested_slot` to `slot` (or ran the slot's own ask action) between the
    two messages."""
    users = 0
    asked_again = False
    for event in reversed(events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return (event.get("text") or "") if asked_again else None
        elif users == 1 and (
            (event.get("event") == "action"
             and event.get("name") in (f"action_ask_{form}_{slot}", f"action_ask_{slot}"))
            or (event.get("event") == "slot" and event.get("name") == "requested_slot"
                and event.get("value") == slot)
        ):
            asked_again = True
    return None
