"""Rasa custom actions (the action server), one package per capability: `auth`, `accounts`,
`cards`, `card_management`, `transfers`, `topups`, `payment_requests`, `bill_payments`,
`referrals`, `partners`, `basics`, `notifications`; what they share is
in `common` (a capability imports `common`, never another capability). The bank is reached only
through the bank client `bankclient`, by the accessor `actions.common.bank.bank()`."""
