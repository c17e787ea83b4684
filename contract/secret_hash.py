"""Salted scrypt hashes for the secrets a config file holds: the dashboard's passwords
and the kiosk's staff PIN. The file keeps `scrypt$<n>$<r>$<p>$<salt>$<hash>` (base64),
never the secret itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

# The cost recommended for interactive logins (RFC 7914 §2; OWASP): about 50 ms and
# 16 MiB on a Raspberry Pi 4, so a login stays quick and a stolen config is slow to attack.
N, R, P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
_MAX_MEMORY = 64 * 1024 * 1024


def hash_secret(secret: str) -> str:
    if not secret:
        raise ValueError("the secret is empty")
    salt = secrets.token_bytes(SALT_BYTES)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_scrypt(secret, salt, N, R, P, KEY_BYTES))}"


def secret_matches(secret: str, hashed: str) -> bool:
    """Whether `secret` is the one hashed; False (never an exception) for a malformed hash."""
    try:
        n, r, p, salt, expected = _parts(hashed)
        return hmac.compare_digest(_scrypt(secret, salt, n, r, p, len(expected)), expected)
    except (ValueError, MemoryError):
        return False


def check_secret_hash(hashed: str, made_by: str) -> None:
    """ValueError saying what is wrong with a hash in the config; `made_by` is the command that makes one."""
    try:
        _parts(hashed)
    except ValueError as error:
        raise ValueError(f"{error}; make one with `{made_by}`") from None


def _parts(hashed: str) -> tuple[int, int, int, bytes, bytes]:
    fields = hashed.split("$")
    if len(fields) != 6 or fields[0] != "scrypt":
        raise ValueError("expected 'scrypt$<n>$<r>$<p>$<salt>$<hash>'")
    try:
        n, r, p = (int(value) for value in fields[1:4])
        salt, key = base64.b64decode(fields[4], validate=True), base64.b64decode(fields[5], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the cost, salt or hash is not readable") from None
    if n < 2**10 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 16 or len(salt) < 8 or len(key) < 16:
        raise ValueError("the cost, salt or hash is out of range")
    return n, r, p, salt, key


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=length)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
