"""Bills: the provider catalog and bill payments (legacy SOAP)."""
