"""Errors of the operators room; server/http/problems.py maps them to problem details."""


class OperatorsError(Exception):
    """Base of every operators error."""


class BadOperatorInput(OperatorsError):
    """An email, role, password or reason that cannot be used."""


class OperatorExists(OperatorsError):
    """An operator with this email exists already."""


class UnknownOperator(OperatorsError):
    """No operator with that email or id."""


class SignInFailed(OperatorsError):
    """Email, password or code did not match (one message for every cause, so nothing leaks)."""

    def __init__(self, message: str = "email, password or code is not right"):
        super().__init__(message)


class NotSignedIn(OperatorsError):
    """No usable operator credential (missing, unknown, disabled, expired)."""

    headers = {"WWW-Authenticate": "Bearer"}

    def __init__(self, message: str = "operator routes need an operator's bearer token"):
        super().__init__(message)


class Forbidden(OperatorsError):
    """The operator's role does not hold the permission this route needs."""


class TooManyAttempts(OperatorsError):
    """Too many recent sign-in attempts; ``retry_after`` says in how many seconds to try again."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}
