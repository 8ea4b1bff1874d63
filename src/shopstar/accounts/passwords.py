"""Password hashing with Argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shopstar.errors import ShopstarError

MIN_LENGTH = 8
_hasher = PasswordHasher()
# verifying against this keeps the time of "no such user" close to that of "wrong password"
_DUMMY_HASH = _hasher.hash("no such user: constant-time placeholder")


def check_strength(password: str) -> None:
    """Refuse passwords too short to be worth hashing."""
    if len(password) < MIN_LENGTH:
        raise ShopstarError(f"password: must have at least {MIN_LENGTH} characters")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (salted, self-describing)."""
    check_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; ``None`` burns the same time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
