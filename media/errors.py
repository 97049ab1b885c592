"""Errors of the media room; server/http/problems.py maps them to problem details."""


class MediaError(Exception):
    """Base of every media error."""


class BadImage(MediaError, ValueError):
    """The bytes are not an image we accept (not an image, truncated, too large, a decompression bomb)."""


class UnknownImage(MediaError):
    """No image or variant with that id, width or format."""
