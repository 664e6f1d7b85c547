"""Card issuing: the basic digital card, the Digital Tariff Card (KYC), upgrade, card info and
plastic card orders.

Flow:
  issue_card → login gate → action_card_start (`issue`), which looks at the customer's cards and
  sets `card_flow`:  basic_ready (name known) → action_issue_basic_card
                     basic (name needed)      → basic_card_form → action_issue_basic_card
                     tariff (KYC needed)      → tariff_card_form → action_submit_tariff_card
                     none (answered already: has the card, verified upgrade done, bank down)
  order_plastic_card → login gate → action_plastic_start (`plastic`: status of an open order, or
  card_flow=plastic → plastic_card_form → action_order_plastic).
Forms: `basic_form`, `tariff_form`, `plastic_form`, each value checked by its schema (`schemas`).
Personal data collected by the forms is cleared from the slots as soon as the bank has it.
"""
