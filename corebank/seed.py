"""Demo data (filled in below)."""


def seed_demo() -> bool:
    return False
