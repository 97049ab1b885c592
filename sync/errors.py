"""Errors of the sync room: request-level ones map to problems; mutation-level ones are caught by the engine."""


class SyncError(Exception):
    """Base of every sync error."""


class PermanentError(SyncError):
    """A mutation that can never succeed: the engine records `errors/{id}` in the client's view and moves on."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


class TemporaryError(SyncError):
    """A mutation that may succeed later: the push stops before it without advancing lastMutationId."""


class BadSyncRequest(SyncError):
    """A push or pull body that cannot be decoded or breaks the protocol."""


class TooLarge(SyncError):
    """A push past a limit (mutations per push, args bytes)."""


class UnknownClient(SyncError):
    """A clientId bound to another user (answered as 404, like any id that is not yours)."""


class BadViewRow(SyncError):
    """A view key or value past its limits (a bug in the caller, or input that slipped through)."""
