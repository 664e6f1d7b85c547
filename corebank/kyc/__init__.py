"""KYC: identity verification for the Digital Tariff Card."""
