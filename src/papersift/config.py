"""Where papersift keeps its data: one place owns the paths."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

HOME_ENV = "PAPERSIFT_HOME"
DB_FILENAME = "papersift.db"


def user_dir() -> Path:
    """The data directory: ``$PAPERSIFT_HOME`` if set, else the platform's user data dir."""
    override = os.environ.get(HOME_ENV)
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("papersift"))
    return path


def default_db_path() -> Path:
    return user_dir() / DB_FILENAME
