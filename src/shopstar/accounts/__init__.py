"""Organisations, users, roles, authentication, the policy layer and the audit log."""
