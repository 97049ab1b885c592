"""Errors of the accounts room; server/http/problems.py maps them to problem details."""


class AccountsError(Exception):
    """Base of every accounts error."""


class BadCredentials(AccountsError):
    """Email/password (or TOTP code) did not match; the same message for every cause so nothing leaks."""

    def __init__(self, message: str = "email, password or code is not right"):
        super().__init__(message)


class TotpRequired(AccountsError):
    """The password was right but the account has 2FA on and no code was sent."""

    def __init__(self, message: str = "this account needs a TOTP code"):
        super().__init__(message)


class NotAuthenticated(AccountsError):
    """No usable bearer token (missing, unknown, revoked or expired)."""

    headers = {"WWW-Authenticate": "Bearer"}

    def __init__(self, message: str = "a valid bearer token is needed"):
        super().__init__(message)


class EmailTaken(AccountsError):
    """Signup with an email that already has an account."""


class BadAccountInput(AccountsError):
    """An email, password, device name or code that cannot be used."""


class RateLimited(AccountsError):
    """Too many recent attempts; ``retry_after`` says in how many seconds to try again."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class UnknownDevice(AccountsError):
    """No such device among the caller's own devices."""


class TotpStateError(AccountsError):
    """A TOTP step out of order (confirm without enrolling, enrol while already on, ...)."""


class RevealForbidden(AccountsError):
    """The operator's role may not see shoppers' personal data unmasked."""


class RevealReasonRequired(AccountsError):
    """A reveal of personal data asked for without the reason the audit log must carry."""


class ReauthenticationFailed(AccountsError):
    """A destructive request (account deletion) whose password or TOTP code was not right."""

    def __init__(self, message: str = "password or code is not right"):
        super().__init__(message)
