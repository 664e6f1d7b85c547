"""Clients of the core bank's own systems (REST/JSON with OAuth2, legacy SOAP/XML)."""
