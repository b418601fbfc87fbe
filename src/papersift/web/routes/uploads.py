"""Reading a form's uploaded files within the app's limits, importing them, and saying what happened in
the page's words (its Format menu, not the CLI's ``--input-format``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from ... import explore
from ...errors import InputError, PapersiftError
from ...sources import FORMATS as INPUT_FORMATS
from ...sources import UnknownFormatError
from ...store import Store
from ..state import state


async def read_uploads(request: Request, form: Any) -> list[tuple[str, bytes]]:
    """The form's files as (name, bytes); more files or bytes than the app allows are refused."""
    settings = state(request).settings
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if len(files) > settings.max_upload_files:
        raise PapersiftError(f"at most {settings.max_upload_files} files per upload")
    found = []
    for upload in files:
        data = await upload.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise PapersiftError(
                f"{upload.filename}: larger than the upload limit of {settings.max_upload_bytes} bytes"
            )
        found.append((str(upload.filename), data))
    return found


def import_uploads(store: Store, profile: str, files: list[tuple[str, bytes]], form: Any) -> str:
    """Import ``files`` into ``profile`` in the format the form's menu names (detected when none); the
    notice saying what was read. Errors are worded for the page (:func:`upload_error`)."""
    value = str(form.get("input_format") or "")
    try:
        summary, warnings = explore.import_uploads(store, profile, files, value if value in INPUT_FORMATS else None)
    except UnknownFormatError as exc:
        raise PapersiftError(
            f"{_file_name(exc.path)}: is in no format papersift knows; choose its format in the Format menu "
            "(e.g. publist for a plain list of titles, one per line)"
        ) from None
    except InputError as exc:
        # The papers keep "upload:NAME" as their provenance; the page names the file as the user chose it.
        raise InputError(exc.reason, _file_name(exc.path), exc.line, exc.record) from None
    text = f"{summary.read} papers read, {summary.new} new, {summary.merged} already known"
    return text + (f" ({len(warnings)} warnings: {warnings[0]})" if warnings else "")


def _file_name(origin: str | None) -> str | None:
    return origin.removeprefix("upload:") if origin is not None else None
