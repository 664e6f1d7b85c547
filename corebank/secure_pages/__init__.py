"""Secure pages: one-time links to see card details or set the PIN or the password."""
