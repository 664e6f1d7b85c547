"""The authorization zone: the login gate (`action_check_login`), the login form (phone + one-time
code), cancelling a login and logging out."""
