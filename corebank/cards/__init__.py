"""Cards: issuing, upgrade, plastic orders (REST) and card status operations (legacy SOAP)."""
