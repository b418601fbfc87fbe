"""The local SQLite store (SQLAlchemy Core, numbered migrations, transactional writes)."""

from .db import ImportSummary, ProfileInfo, Store
from .learning import RATINGS, InterestRecord, RatingRecord

__all__ = ["RATINGS", "ImportSummary", "InterestRecord", "ProfileInfo", "RatingRecord", "Store"]
