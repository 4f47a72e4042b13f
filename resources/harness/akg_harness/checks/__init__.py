"""Rejection checks and flags beyond the numeric comparison (see README.md, "Checks")."""
