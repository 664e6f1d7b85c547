"""Asking a friend for money (`request_money`): a shareable payment-request link.

    payment_request_form: request_amount → action_create_payment_request (the link)

An optional note comes from the request itself ("ask my brother for 300 for the concert
tickets" → "concert tickets"). The friend pays on the bank's hosted page with any card; the
bank's `payment_request.paid` webhook makes the assistant tell the requester
(`actions.notifications`).
"""
