"""Invite friends: the invitation code and link, joining with a code, the reward message."""
