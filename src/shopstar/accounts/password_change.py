"""A logged-in user changing their own password: every other session of theirs ends."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shopstar.accounts.login import LoginFailed, authenticate
from shopstar.accounts.models import User
from shopstar.accounts.passwords import check_strength
from shopstar.accounts.principal import Principal
from shopstar.accounts.sessions import start_session
from shopstar.accounts.users import set_password
from shopstar.errors import ShopstarError


class WrongPassword(ShopstarError):
    """The current password given to a password change is wrong."""


def change_own_password(
    session: Session, principal: Principal, current: str, new: str, confirm: str, ip: str
) -> str:
    """Check ``current`` (rate limited like a login), set ``new`` and revoke every session of
    the user; returns the secret of a fresh session for the caller (the caller commits).

    A wrong current password is recorded as a failed login (commit it too) and raises
    :class:`WrongPassword`; too many raise :class:`~shopstar.accounts.login.TooManyAttempts`.
    """
    if new != confirm:
        raise ShopstarError("confirm: the new password and its confirmation differ")
    check_strength(new)
    try:
        user: User = authenticate(session, principal.email, current, ip)
    except LoginFailed:
        raise WrongPassword("current_password: is not your password") from None
    if new == current:
        raise ShopstarError("new_password: is the same as the current password")
    set_password(session, user, new, actor=principal)
    return start_session(session, user.id)
