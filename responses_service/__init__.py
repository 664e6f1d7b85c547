"""The responses service: renders what the assistant says from the reviewed catalog.

Behind Rasa's NLG endpoint (endpoints.yml `nlg:`, assistant/nlg.py), its own process and port
(RESPONSES_HOST:RESPONSES_PORT, default 127.0.0.1:5065). docs/responses.md.
"""
