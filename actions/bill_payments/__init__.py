"""Paying for services (`pay_bill`): mobile, utilities, TV, Internet, transport.

One form does the payment, in one message or step by step:
    bill_form: bill_provider → bill_account [→ bill_meter] → bill_amount → bill_confirmed
               [→ otp_code]
- the provider comes from free text (names, typos, transliterations, synonyms: `catalog.py`
  matches them against the catalog's names and aliases), from the phone number's prefix (mobile),
  or from buttons (category, then provider);
- "my phone" is the customer's own number (the bank knows it; the operator from its prefix);
- each field is validated by the provider's own description in the catalog (`ProviderField`),
  never by code per provider; a provider whose fields include a meter reading has it asked;
- a provider named in the request that the catalog does not have is said so, naming it, before
  the category buttons;
- what is owed is offered first where the provider reports it; the confirmation shows fee and
  total (the quote also checks the money: "not enough" is said before any code); above the
  threshold a step-up code (`actions.common.otp.StepUpValidation`);
- the payment is keyed (`actions.common.idempotency`), and a payment whose answer was lost is
  looked up by its key before the customer is told anything (`pay.py`);
- `action_bill_completed`: receipt picture + PDF (`actions.common.receipts`), new balance, and
  the offer to save a template. "Pay my phone again" repeats the last payment to that provider;
  templates can be listed, used and removed; history answers "what did I pay for internet".
"""
