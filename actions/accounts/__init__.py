"""Account answers behind the login gate: balance, recent transactions, bank details."""
