"""Shared fixtures live in plugins so that each part of the system owns its own."""

pytest_plugins = [
    "tests.fixtures.corebank",
    "tests.fixtures.assistant",
]
