"""Rasa custom actions (action server). The bank is reached only through `actions.bank`."""
