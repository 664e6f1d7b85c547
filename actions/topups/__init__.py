"""Card refill (`top_up_card`) from another bank's card, through the bank's hosted payment page.

    topup_form: topup_amount → action_create_topup (the link, as a button)

The card details and the 3-D Secure code are typed on the bank's page, never in the chat. When the
payment completes or fails the bank calls the assistant's webhook, which tells the customer in
the same chat (`actions.notifications`).
"""
