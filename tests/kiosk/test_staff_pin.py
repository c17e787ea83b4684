"""The staff PIN: salted scrypt hashes, and a lock-out that a restart does not reset."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from frontdesk.kiosk.staff_pin import PinCheck, StaffLock, hash_pin, pin_matches

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def hashed() -> str:
    return hash_pin("2468")


def test_the_hash_is_salted_scrypt_in_the_documented_format(hashed):
    scheme, n, r, p, salt_b64, digest_b64 = hashed.split("$")
    salt, digest = base64.b64decode(salt_b64, validate=True), base64.b64decode(digest_b64, validate=True)
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1") and len(salt) == 16 and len(digest) == 32
    # Recomputed independently with the parameters the module documents.
    assert hashlib.scrypt(b"2468", salt=salt, n=2**14, r=8, p=1, dklen=32) == digest
    assert hash_pin("2468") != hashed  # a fresh salt every time


def test_only_the_right_pin_matches(hashed):
    assert pin_matches("2468", hashed)
    for wrong in ("2469", "24680", "", "8642"):
        assert not pin_matches(wrong, hashed)


@pytest.mark.parametrize("pin, message", [("12", "4 to 12 digits"), ("1234567890123", "4 to 12 digits"),
                                          ("12a4", "digits only"), ("١٢٣٤", "digits only")])
def test_a_pin_that_a_keypad_cannot_type_is_refused(pin, message):
    with pytest.raises(ValueError, match=message):
        hash_pin(pin)


def test_a_broken_hash_is_refused_at_once(tmp_path):
    with pytest.raises(ValueError, match="scrypt"):
        StaffLock(tmp_path / "lock.db", "md5$abc", attempts=3, lockout=timedelta(minutes=5))


def test_failures_lock_the_staff_area_and_the_lock_survives_a_restart(tmp_path, hashed):
    db = tmp_path / "kiosk" / "visitors.db"
    lock = StaffLock(db, hashed, attempts=3, lockout=timedelta(minutes=5))
    assert lock.enabled
    first = lock.check("1111", NOW)
    second = lock.check("1111", NOW)
    assert (first.ok, first.attempts_left, second.attempts_left, second.locked_until) == (False, 2, 1, None)
    locked = lock.check("2222", NOW + timedelta(seconds=10))
    assert (locked.ok, locked.attempts_left, locked.locked_until) == (False, 0, NOW + timedelta(minutes=5, seconds=10))
    lock.close()
    # The kiosk restarts (power cut): still locked, and the right PIN is not even tried.
    restarted = StaffLock(db, hashed, attempts=3, lockout=timedelta(minutes=5))
    still = restarted.check("2468", NOW + timedelta(minutes=1))
    assert (still.ok, still.locked_until) == (False, locked.locked_until)
    after = restarted.check("2468", locked.locked_until + timedelta(seconds=1))
    assert (after.ok, after.attempts_left, after.locked_until) == (True, 3, None)
    restarted.close()


def test_a_success_resets_the_count_and_the_count_is_persisted(tmp_path, hashed):
    db = tmp_path / "lock.db"
    lock = StaffLock(db, hashed, attempts=3, lockout=timedelta(minutes=1))
    lock.check("0000", NOW)
    lock.close()
    lock = StaffLock(db, hashed, attempts=3, lockout=timedelta(minutes=1))
    assert lock.check("0000", NOW).attempts_left == 1  # the failure before the restart counted
    assert lock.check("2468", NOW).ok
    assert lock.check("0000", NOW).attempts_left == 2
    lock.close()


def test_without_a_hash_the_staff_area_stays_shut(tmp_path):
    lock = StaffLock(tmp_path / "lock.db", None, attempts=3, lockout=timedelta(minutes=1))
    assert not lock.enabled
    for _ in range(5):  # no PIN opens it, and trying does not lock anything
        assert lock.check("2468", NOW) == PinCheck(False, 0, None)
    lock.close()
