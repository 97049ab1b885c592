"""Operators: people who run the shop, each with one role, a password and TOTP; their sessions, tokens and audit log."""
