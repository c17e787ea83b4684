"""Password hashes for the dashboard's users: scrypt from the standard library.

The config keeps only `scrypt$<n>$<r>$<p>$<salt>$<hash>` (base64), made by
`frontdesk-manager hash-password`; never the password itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# The cost recommended for interactive logins (RFC 7914 §2; OWASP): about 50 ms and 16 MiB
# on a Raspberry Pi 4, so a login stays quick and a stolen config is slow to attack.
N, R, P = 2**14, 8, 1
KEY_BYTES = 32
_MAX_MEMORY = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=KEY_BYTES)


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("the password is empty")
    salt = secrets.token_bytes(16)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_scrypt(password, salt, N, R, P))}"


def password_matches(password: str, hashed: str) -> bool:
    """Whether the password is the one hashed; False (never an exception) for a malformed hash."""
    try:
        scheme, n, r, p, salt, expected = hashed.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
        return hmac.compare_digest(actual, base64.b64decode(expected, validate=True))
    except (ValueError, TypeError, MemoryError):
        return False
