"""Accounts: passwords, sessions, sign-in throttling and access control."""
