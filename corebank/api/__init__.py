"""Foundation HTTP routers (feature routers live in corebank/features)."""
