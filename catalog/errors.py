"""Errors of the catalog room; server/http/problems.py maps them to problem details."""


class CatalogError(Exception):
    """Base of every catalog error."""


class UnknownProduct(CatalogError):
    """No product with that id."""


class BadCursor(CatalogError):
    """A pagination cursor that this server did not make, or made for another query."""


class BadImport(CatalogError):
    """Import input that cannot be taken; ``problems`` lists (line number, what is wrong)."""

    def __init__(self, message: str, problems: list[tuple[int, str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


class BadQuery(CatalogError):
    """Search or filter input that cannot be used."""


class BadSynonyms(CatalogError):
    """An operator synonym list that cannot be used (a term that is not one word, a group of one)."""
