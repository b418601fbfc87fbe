"""Reading a form's uploaded files within the app's limits, importing them, and saying what happened in
the page's words (its Format menu, not the CLI's ``--input-format``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ... import api
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


async def import_uploads(
    request: Request, store: Store, profile: str, files: list[tuple[str, bytes]], form: Any
) -> str:
    """Import ``files`` into ``profile`` in the format the form's menu names (detected when none); the
    notice saying what was read. Errors are worded for the page (:func:`upload_error`).

    The import is the library's one profile import (:func:`papersift.loading.import_profile`), with
    the arXiv title lookup and the refusals ``profile import`` applies, in a worker thread (the
    lookup waits on the network).
    """
    value = str(form.get("input_format") or "")
    input_format = value if value in INPUT_FORMATS else None
    try:
        summary, warnings = await run_in_threadpool(_import_profile, request, store, profile, files, input_format)
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


def _import_profile(
    request: Request, store: Store, profile: str, files: list[tuple[str, bytes]], input_format: str | None
) -> tuple[Any, list[str]]:
    """No title lookup when the server runs offline (``--offline``, ``$PAPERSIFT_OFFLINE``)."""
    from ...config import load_config
    from ...delivery.job import is_offline
    from ...fetch.client import HttpClient

    uploads = [api.UploadedFile(file_name, data) for file_name, data in files]
    settings = state(request).settings
    if is_offline(settings.offline):
        hint = "upload the file again when the server is online"
        return api.import_profile(store, profile, uploads, input_format, client=None, offline_hint=hint)
    factory, config = settings.client_factory, load_config()
    client = factory(config.contact) if factory else HttpClient.from_config(config)
    try:
        hint = "upload the file again when arXiv answers"
        return api.import_profile(store, profile, uploads, input_format, client=client, offline_hint=hint)
    finally:
        client.close()


def _file_name(origin: str | None) -> str | None:
    return origin.removeprefix("upload:") if origin is not None else None
