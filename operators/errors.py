"""Errors of the operators room; server/http/problems.py maps them to problem details.

Sign-in errors are the accounts room's login errors for operators (same behaviour: message, headers, retry_after),
each with a class of its own, so each keeps its own problem type.
"""

from accounts.errors import BadCredentials, NotAuthenticated, RateLimited


class OperatorsError(Exception):
    """Base of every operators error."""


class BadOperatorInput(OperatorsError):
    """An email, role, password or reason that cannot be used."""


class OperatorExists(OperatorsError):
    """An operator with this email exists already."""


class UnknownOperator(OperatorsError):
    """No operator with that email or id."""


class SignInFailed(OperatorsError, BadCredentials):
    """Email, password or code did not match (one message for every cause, so nothing leaks): a shopper's failed
    login, for operators."""


class NotSignedIn(OperatorsError, NotAuthenticated):
    """No usable operator credential (missing, unknown, disabled, expired); answered with its WWW-Authenticate."""

    def __init__(self, message: str = "operator routes need an operator's bearer token"):
        super().__init__(message)


class Forbidden(OperatorsError):
    """The operator's role does not hold the permission this route needs."""


class TooManyAttempts(OperatorsError, RateLimited):
    """Too many recent sign-in attempts; ``retry_after`` (and its Retry-After header) says in how many seconds to
    try again."""
