"""Security: encryption of answers at rest, retrieval codes, passwords and the audit trail."""
