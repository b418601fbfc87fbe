"""``papersift export`` / ``papersift import``: a whole store as JSON lines (backup, moving machines)."""

from __future__ import annotations

import click

from .. import api
from .common import echo, quiet_option, store


@click.command("export")
@click.argument("file", metavar="FILE")
@quiet_option
def export_command(file: str, quiet: bool) -> None:
    """Write the whole store to FILE as JSON lines ("-": stdout), for a backup or another machine.

    Everything a user would miss is in it: papers with their ids and provenance, candidates,
    profiles (papers, exclusions, sources), interests with their names and mutes, ratings, digests
    and what they showed, fetch checkpoints, settings, accounts (password hashes only) and
    deliveries. Not in it: the embeddings cache (recomputed on first use) and web log-in sessions.
    The file replaces FILE only once it is complete. A summary goes to stderr (none with -q).

    \b
    Example:
      papersift export backup.jsonl
      papersift export - | gzip > backup.jsonl.gz
    """
    summary = api.export_store(store(), file)
    if not quiet:
        where = "stdout" if file == "-" else file
        echo(f"exported {summary.rows} rows of {len(summary.tables)} tables to {where}", err=True)


@click.command("import")
@click.argument("file", metavar="FILE")
@quiet_option
def import_command(file: str, quiet: bool) -> None:
    """Load an export (FILE, or "-" for stdin) into an empty store, all of it or nothing.

    The store must be new: point PAPERSIFT_HOME or PAPERSIFT_DATABASE_URL at a new place first
    (an export from SQLite loads into PostgreSQL and back). A cut-off or damaged file is refused
    with the line at fault and leaves the store as it was. Embeddings are recomputed on first use.

    \b
    Example:
      PAPERSIFT_HOME=~/papersift-new papersift import backup.jsonl
      gunzip -c backup.jsonl.gz | PAPERSIFT_DATABASE_URL=postgresql://host/db papersift import -
    """
    summary = api.import_store(store(), file)
    echo(f"imported {summary.rows} rows of {len(summary.tables)} tables (exported at schema version {summary.schema})")
    if not quiet:
        filled = ", ".join(f"{name} {n}" for name, n in summary.tables.items() if n)
        if filled:
            echo(f"  {filled}")
