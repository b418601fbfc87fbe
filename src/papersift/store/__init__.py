"""The local SQLite store (SQLAlchemy Core, numbered migrations, transactional writes)."""

from .db import ImportSummary, ProfileInfo, Store

__all__ = ["ImportSummary", "ProfileInfo", "Store"]
