"""`papersift serve` (the web app) and `papersift user` (accounts for a shared server)."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import webbrowser

import click

from ..clock import local_now
from ..config import store_location
from ..encoders import DEFAULT_ENCODER
from .common import PapersiftGroup, offline_option, warn
from .common import store as invocation_store

SECRET_ENV = "PAPERSIFT_SECRET_KEY"
INSTALL_HINT = "the web app needs its extra: pip install 'papersift[web]'"


def _web_modules() -> None:
    """Fail with an install hint, not a traceback, when the web extra is missing."""
    try:
        import argon2  # noqa: F401
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(f"{INSTALL_HINT} ({exc.name} is missing)") from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _secret_key() -> bytes:
    """The key that signs links and cookies: config [web] secret_key, $PAPERSIFT_SECRET_KEY, or a key file."""
    from ..delivery.tokens import secret_key

    return secret_key()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the app in the browser once it is listening.")
@click.option("--multi-user", is_flag=True, help="Accounts required (make them with `papersift user add`).")
@click.option(
    "--scheduler", is_flag=True, help="Also run the daily job (`papersift run`) in the server: at start, then daily."
)
@click.option("--at", default="07:30", show_default=True, help="With --scheduler: the daily run's time (HH:MM, local).")
@offline_option
@click.option("--model", default=DEFAULT_ENCODER, show_default=True, help="Encoder for digests, search and the map.")
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure (set this behind a TLS proxy).")
def serve_command(
    host: str,
    port: int,
    open_browser: bool,
    multi_user: bool,
    scheduler: bool,
    at: str,
    offline: bool,
    model: str,
    secure_cookies: bool,
) -> None:
    """Serve papersift in the browser: one researcher on this computer, or a lab with --multi-user.

    Without --multi-user there is no sign-in, so the app listens on loopback only.

    \b
    Example:
      papersift serve --open
      papersift serve --multi-user --host 0.0.0.0 --port 8000
    """
    if not multi_user and not _is_loopback(host):
        raise click.UsageError(
            f"without --multi-user anyone who reaches {host} could use your profile; "
            "listen on 127.0.0.1 or add --multi-user (and make accounts with `papersift user add`)"
        )
    _web_modules()
    _check_port_free(host, port)
    import uvicorn

    from .. import accounts
    from ..web import WebSettings, create_app

    settings = WebSettings(
        store=str(store_location()),
        multi_user=multi_user,
        secret_key=_secret_key(),
        model=model,
        secure_cookies=secure_cookies,
        scheduler=scheduler,
        scheduler_at=at,
        offline=offline,
    )
    app = create_app(settings)
    if multi_user:
        store = invocation_store()
        if not accounts.list_users(store):
            warn(["there are no accounts yet; make one with `papersift user add NAME`"])
    if scheduler:
        from ..delivery.scheduler import next_run

        next_run(local_now(), at)  # a bad --at is refused before the server starts
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    click.echo(f"papersift is serving {store_location()} at {url} (Ctrl+C stops it)", err=True)
    if open_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    # Browsers keep connections open between a page and its votes; 5 s (the default) makes them reconnect.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_keep_alive=75)


def _check_port_free(host: str, port: int) -> None:
    """One sentence when the address is taken, instead of uvicorn's log line after "is serving"."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}): is a server already running there? "
                "Stop it, or choose another port with --port"
            ) from None


@click.group("user", cls=PapersiftGroup)
def user_group() -> None:
    """Accounts for `papersift serve --multi-user`.

    \b
    Example:
      papersift user add alice --profile alice
    """


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        # getpass would fall back to echoing the password with a Python warning, or abort on end of input.
        raise click.UsageError("stdin is not a terminal: give the password on stdin with --password-stdin")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_group.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="An administrator.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.option("--profile", "profiles", multiple=True, help="A profile this user owns (created if new; repeatable).")
def user_add(name: str, admin: bool, password_stdin: bool, profiles: tuple[str, ...]) -> None:
    """Make an account NAME (asks for its password).

    \b
    Example:
      papersift user add ada --profile ada
      echo "$PASSWORD" | papersift user add lab-admin --admin --password-stdin
    """
    _web_modules()
    from .. import accounts

    password = _read_password(password_stdin)
    store = invocation_store()
    user = accounts.add_user(store, name, password, admin)
    for profile in profiles:
        accounts.claim_profile(store, user, profile)
    owns = f", owner of {', '.join(profiles)}" if profiles else ""
    click.echo(f"user '{user.name}' added{' (admin)' if admin else ''}{owns}")


@user_group.command("list")
def user_list() -> None:
    """The accounts, with the profiles each owns.

    \b
    Example:
      papersift user list
    """
    _web_modules()
    from .. import accounts

    store = invocation_store()
    users = accounts.list_users(store)
    if not users:
        click.echo("no accounts yet (papersift user add NAME)")
    for user in users:
        owned = ", ".join(accounts.visible_profiles(store, user)) or "no profiles"
        click.echo(f"{user.name}\t{'admin' if user.is_admin else 'user'}\t{owned}\tsince {user.created_at}")


@user_group.command("remove")
@click.argument("name")
def user_remove(name: str) -> None:
    """Remove account NAME (its profiles stay in the store, without an owner).

    \b
    Example:
      papersift user remove ada
    """
    _web_modules()
    from .. import accounts

    store = invocation_store()
    accounts.remove_user(store, name)
    click.echo(f"user '{name}' removed")


@user_group.command("reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_reset_password(name: str, password_stdin: bool) -> None:
    """Give account NAME a new password (signs it out everywhere).

    \b
    Example:
      papersift user reset-password ada
    """
    _web_modules()
    from .. import accounts

    store = invocation_store()
    # Asking for a password the command will throw away would look like it worked.
    if not any(u.name == name for u in accounts.list_users(store)):
        raise click.ClickException(f"there is no user named '{name}' (`papersift user list` shows them)")
    password = _read_password(password_stdin)
    accounts.reset_password(store, name, password)
    click.echo(f"user '{name}': password changed, every session ended")


@user_group.command("grant")
@click.argument("name")
@click.argument("profile")
def user_grant(name: str, profile: str) -> None:
    """Make account NAME the owner of PROFILE (created if new).

    \b
    Example:
      papersift user grant ada ada-2026
    """
    _web_modules()
    from .. import accounts

    store = invocation_store()
    user = next((u for u in accounts.list_users(store) if u.name == name), None)
    if user is None:
        raise click.ClickException(f"there is no user named '{name}'")
    accounts.claim_profile(store, user, profile)
    click.echo(f"user '{name}' owns profile '{profile}'")


@user_group.command("token")
@click.argument("name")
@click.option("--label", help="A name for the new token, unique for the user (default: token-N).")
@click.option(
    "--days", type=click.IntRange(1, 36500), help="The new token expires after this many days (default: never)."
)
@click.option("--list", "list_tokens", is_flag=True, help="List NAME's tokens (labels and dates; never the tokens).")
@click.option(
    "--revoke", metavar="LABEL", help="Revoke NAME's token LABEL: requests carrying it are refused from now on."
)
def user_token(name: str, label: str | None, days: int | None, list_tokens: bool, revoke: str | None) -> None:
    """Make an API token for account NAME, for scripts using the JSON API.

    The token is printed once, alone on stdout; the store keeps only its SHA-256. A script sends it as
    `Authorization: Bearer TOKEN` and then needs no CSRF token. Removing the account, or --revoke,
    ends it; a new password does not.

    \b
    Example:
      TOKEN=$(papersift user token ada --label nightly --days 90)
      curl -H "Authorization: Bearer $TOKEN" http://localhost:8000/api/v1/profiles
      papersift user token ada --list
      papersift user token ada --revoke nightly
    """
    if (list_tokens or revoke is not None) and (label is not None or days is not None):
        raise click.UsageError("--label and --days make a new token; give them without --list or --revoke")
    if list_tokens and revoke is not None:
        raise click.UsageError("give --list or --revoke, not both")
    _web_modules()
    from .. import accounts

    store = invocation_store()
    if list_tokens:
        tokens = accounts.api_tokens(store, name)
        if not tokens:
            click.echo(f"user '{name}' has no API tokens (papersift user token {name} makes one)")
        for token in tokens:
            click.echo(f"{token.label}\tcreated {token.created_at}\texpires {token.expires_at or 'never'}")
        return
    if revoke is not None:
        accounts.revoke_api_token(store, name, revoke)
        click.echo(f"user '{name}': token '{revoke}' revoked")
        return
    secret, made = accounts.make_api_token(store, name, label, days)
    click.echo(secret)
    expiry = f", expires {made.expires_at}" if made.expires_at else ""
    click.echo(
        f"API token '{made.label}' for user '{name}'{expiry}: shown only now. Send it as "
        f"'Authorization: Bearer TOKEN'; revoke it with `papersift user token {name} --revoke {made.label}`.",
        err=True,
    )
