"""Proactive messages: the bank's signed webhooks (`webhooks`, mounted on the action server by
`rasa_sdk_plugins`) become `EXTERNAL_*` intents in the customer's chat, and
`action_notify_bank_event` (`bank_events`) tells the customer what happened."""
