"""Errors of the reviews room; server/http/problems.py maps them to problem details."""


class ReviewError(Exception):
    """Base of every reviews error."""


class NotReviewable(ReviewError):
    """A review of a product the shopper has not received (no delivered order holds it)."""


class BadReview(ReviewError):
    """Review input that cannot be used (a display name that looks like an email, control characters)."""
