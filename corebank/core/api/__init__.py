"""HTTP APIs of the core services: health, the OAuth2 token endpoint and JWKS, the
authorization zone (OTP login, sessions, step-up), the vault and the internal ledger."""
