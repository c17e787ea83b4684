"""Password hashes for the dashboard's users (contract/secret_hash.py), made by
`frontdesk-manager hash-password`."""

from __future__ import annotations

from frontdesk.contract.secret_hash import hash_secret, secret_matches


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("the password is empty")
    return hash_secret(password)


def password_matches(password: str, hashed: str) -> bool:
    """Whether the password is the one hashed; False (never an exception) for a malformed hash."""
    return secret_matches(password, hashed)
