"""Delivery commands: the daily run, the private feed address, the schedule; e-mail for ``digest --email``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from .. import api
from ..clock import local_now
from ..config import config_file_name, load_config
from ..encoders import DEFAULT_ENCODER
from ..errors import ConfigError
from .common import MODEL_HELP, PapersiftGroup, is_quiet, make_encoder, note, offline_option, profile_option
from .common import store as invocation_store
from .fetch import config_option, make_client


@click.command("run")
@click.option(
    "--profile",
    default=None,
    help="Deliver only this profile's digest (default: every [deliver.NAME] and every profile set up on the web).",
)
@click.option("--dry-run", is_flag=True, help="Rank and say what would be sent; send and record nothing.")
@click.option("--no-update", is_flag=True, help="Do not fetch sources first; rank the candidates already stored.")
@click.option(
    "--model",
    default=DEFAULT_ENCODER,
    show_default=True,
    help=MODEL_HELP,
)
@config_option
@offline_option
def run_command(
    profile: str | None, dry_run: bool, no_update: bool, model: str, config_path: Path | None, offline: bool
) -> None:
    """The daily job: update sources, rank, and deliver every configured digest once.

    A profile is delivered as its [deliver.NAME] table in config.toml says, or else as its web Settings
    page saved it (the table wins; --dry-run shows the effective settings and where each came from).

    Rerunning the same day sends nothing twice; what failed is retried by the next runs for a week.
    Exits 1 when you must fix something (the config, the SMTP login; the line of the profile it stopped
    goes to stderr as "Error: profile NAME: ..."), 75 (EX_TEMPFAIL) when a delivery could not be sent
    now and waits for the next run, else 0.

    \b
    Example:
      papersift run --dry-run
    """
    from ..delivery.job import daily_run
    from ..delivery.targets import delivery_plans

    config = load_config(config_path)
    store = invocation_store()
    if dry_run:
        plans = delivery_plans(store, config)
        if profile is not None:
            plans = [p for p in plans if p.target.profile == profile]
        click.echo("delivery settings:" if plans else "delivery settings: none")
        for plan in plans:
            click.echo(f"  {plan.describe()}")
    report = daily_run(
        store,
        config,
        profile=profile,
        dry_run=dry_run,
        update=not no_update,
        offline=offline,
        encoder=make_encoder(model),
        client_factory=make_client,
    )
    if report.sources and not is_quiet():
        click.echo("sources:")
        for source in report.sources:
            click.echo(f"  {source.describe()}")
    click.echo(f"digests for {report.day.isoformat()}:")
    for outcome in report.profiles:
        # A profile stopped by something to fix is an error line (stderr), with its reason said once.
        if outcome.must_fix:
            click.echo(f"Error: {outcome.describe()}", err=True)
        else:
            click.echo(f"  {outcome.describe()}")
    retry = report.retry_note()
    if retry:
        click.echo(retry, err=True)
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


@click.command("feed-url")
@profile_option
@click.option("--format", "fmt", type=click.Choice(["atom", "rss"]), default="atom", show_default=True)
@click.option("--rotate", is_flag=True, help="Make a new private address; every older one stops working.")
@config_option
def feed_url_command(profile: str | None, fmt: str, rotate: bool, config_path: Path | None) -> None:
    """The private RSS/Atom address of a profile's digests, served by `papersift serve`.

    Anyone with the address can read the feed (and nothing else); --rotate revokes it. The feed holds
    the digests `papersift run` makes for a profile with a [deliver.NAME] table in the config file.

    \b
    Example:
      papersift feed-url --profile me --format rss
    """
    from ..delivery.mail import feed_url
    from ..delivery.targets import plan_for
    from ..delivery.tokens import Tokens, secret_key

    config = load_config(config_path)
    store = invocation_store()
    name = api.default_profile(store, profile)
    nonce = store.feed_nonce(name, rotate=rotate)
    click.echo(feed_url(config.web.base_url, Tokens(secret_key(config)), name, nonce, fmt))
    if plan_for(store, config, name) is None:
        # Digests made by `papersift digest` are not in the feed: without this it stays empty, silently.
        note(
            f"the feed holds the digests `papersift run` makes, and profile '{name}' is not delivered yet: save "
            f"its Settings on the web, or add a [deliver.{name}] table to {config_file_name(config)} "
            "(an e-mail address is optional)"
        )


@click.group("schedule", cls=PapersiftGroup)
def schedule_group() -> None:
    """Run `papersift run` every day: a systemd user timer, or a crontab line where there is no systemd.

    \b
    Example:
      papersift schedule show
    """


def _at_option(func):  # type: ignore[no-untyped-def]
    return click.option("--at", default="07:30", show_default=True, help="Time of day (HH:MM, local time).")(func)


@schedule_group.command("show")
@_at_option
def schedule_show(at: str) -> None:
    """Print the timer units or crontab line `schedule install` would add (nothing is changed).

    \b
    Example:
      papersift schedule show --at 06:45
    """
    from ..delivery.schedule import make_plan

    click.echo(make_plan(at).describe())


@schedule_group.command("install")
@_at_option
def schedule_install(at: str) -> None:
    """Write and enable the daily timer (or crontab line). Secrets go in ~/.config/papersift/env, not here.

    \b
    Example:
      papersift schedule install --at 07:30
    """
    from ..delivery.schedule import install, make_plan

    for line in install(make_plan(at)):
        click.echo(line)


@schedule_group.command("remove")
def schedule_remove() -> None:
    """Remove the daily timer and the crontab line.

    \b
    Example:
      papersift schedule remove
    """
    from ..delivery.schedule import remove

    for line in remove():
        click.echo(line)


def email_digest(profile: str, addresses: Sequence[str], digest: api.Digest) -> None:
    """``papersift digest --email``: send this digest now through [smtp]; its papers count as shown only
    once the mail is accepted (:func:`papersift.delivery.send.email_digest`)."""
    from ..delivery.send import email_digest as send_digest

    if not digest.recommendations or digest.run_id is None:
        click.echo("no papers in this digest; no mail sent", err=True)
        return
    config = load_config()
    if not addresses or any("@" not in a for a in addresses):
        raise ConfigError(f"--email: expected e-mail addresses, not {', '.join(addresses)}")
    message_ids = send_digest(invocation_store(), config, profile, digest.run_id, addresses, local_now)
    n = len(digest.recommendations)
    for address, message_id in zip(addresses, message_ids, strict=True):
        click.echo(f"sent {n} papers to {address} ({message_id})", err=True)
