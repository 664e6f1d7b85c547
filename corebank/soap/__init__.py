"""The legacy SOAP/XML API: envelope parsing, WS-Security, dispatch to the domains' operations."""
