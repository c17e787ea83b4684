"""Dashboard password hashes (scrypt)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.contract.config import parse_config
from frontdesk.manager.passwords import hash_password, password_matches


def test_a_hash_matches_its_password_only():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("scrypt$16384$8$1$") and "correct" not in hashed
    assert password_matches("correct horse battery", hashed)
    assert not password_matches("correct horse batterY", hashed)
    assert not password_matches("", hashed)
    assert hash_password("correct horse battery") != hashed  # salted


def test_the_hash_is_accepted_by_the_config():
    hashed = hash_password("Ștefan-parolă-2026")
    config = parse_config(f'[[manager.dashboard.users]]\nname = "stefan"\npassword_hash = "{hashed}"\n')
    assert password_matches("Ștefan-parolă-2026", config.manager.dashboard.users[0].password_hash)


@pytest.mark.parametrize("broken", ["", "scrypt", "scrypt$1$2$3", "bcrypt$16384$8$1$c2FsdA==$aGFzaA==",
                                    "scrypt$x$8$1$c2FsdA==$aGFzaA==", "scrypt$16384$8$1$!!$aGFzaA==",
                                    "scrypt$3$8$1$c2FsdA==$aGFzaA==", "scrypt$1099511627776$8$1$c2FsdA==$aGFzaA=="])
def test_a_malformed_hash_never_matches_and_never_raises(broken):
    assert password_matches("anything", broken) is False


def test_an_empty_password_cannot_be_hashed():
    with pytest.raises(ValueError, match="empty"):
        hash_password("")


@settings(max_examples=5, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_text_round_trips(password):
    assert password_matches(password, hash_password(password))
