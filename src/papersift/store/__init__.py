"""The store: SQLite by default, PostgreSQL by URL (SQLAlchemy Core, numbered migrations, transactional writes)."""

from .db import Store
from .digest import DEFAULT_CANDIDATE_WINDOW_DAYS, DigestInputs
from .fetchstate import Checkpoint, PageStored
from .learning import RATINGS, InterestRecord, RatingRecord
from .papers import ImportSummary
from .profiles import ProfileInfo, SourceRecord

__all__ = [
    "DEFAULT_CANDIDATE_WINDOW_DAYS",
    "RATINGS",
    "Checkpoint",
    "DigestInputs",
    "ImportSummary",
    "InterestRecord",
    "PageStored",
    "ProfileInfo",
    "RatingRecord",
    "SourceRecord",
    "Store",
]
