"""A sandbox of the partners' own systems (game arena, streaming, fast food, ice cream…):
a SEPARATE service with its own process, port, API-key auth and fault switches, which the
assistant reaches only through `bankclient.partners` (the bank client's external side).

    python -m partnersandbox            # PARTNERS_HOST / PARTNERS_PORT (127.0.0.1:8810)

API (every /v1 call needs `X-Api-Key: $PARTNERS_API_KEY`):
- `POST /v1/partners/{partner}/promo-codes` {customer_ref, campaign} + `Idempotency-Key`:
  a personal promo code; the same key, or the same customer and campaign, gets the same code.
- `GET /health`.
Sandbox controls (`X-Sandbox-Token: $PARTNERS_ADMIN_TOKEN`): `PUT/DELETE /sandbox/faults`
{latency_ms, error_rate, down, hang}, `GET /sandbox/stats` (codes issued, calls served).
"""
