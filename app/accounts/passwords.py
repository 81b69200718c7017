"""Password policy and hashing (Argon2id)."""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn scores 0-4; below 3 the password is a common one, a dictionary word with
# decoration, a keyboard walk or a repeat, however long.
MIN_STRENGTH = 3
ZXCVBN_MAX_LENGTH = 72

_hasher = PasswordHasher()


def _letters_and_digits(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def _contains_user_input(password: str, user_inputs: tuple[str, ...]) -> bool:
    """True when the password holds a person's name or the name part of their email, however spaced or
    punctuated: zxcvbn only matches each input whole, so it lets "JaneSmith2024!" through."""
    squashed = _letters_and_digits(password)
    for user_input in user_inputs:
        name = _letters_and_digits(user_input.split("@")[0])
        if len(name) >= 4 and name in squashed:
            return True
    return False


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a password is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if _contains_user_input(password, user_inputs):
        return "Password must not contain the person's name or email address"
    # zxcvbn refuses more than 72 characters (its work grows with length); the first 72 say enough.
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[u for u in user_inputs if u])
    if result["score"] < MIN_STRENGTH:
        warning = result["feedback"].get("warning") or "It is too easy to guess"
        return f"Choose a password that is harder to guess: {warning.rstrip('.').lower()}"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# Verifying against this keeps the time for an unknown email close to a known one. Its password is
# random and never kept, so no password can ever match it.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))
