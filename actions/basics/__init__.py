"""Conversation basics: the low-confidence fallback and the handoff to a person. (Greetings, help
and goodbyes are plain responses in the domain.)"""
