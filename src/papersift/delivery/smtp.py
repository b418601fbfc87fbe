"""Sending one stored message over SMTP (smtplib), with the point of no return made visible.

``smtp://host[:25]``, ``smtps://host[:465]`` (TLS from the start), ``smtp+starttls://host[:587]``; a user
name in the URL (``smtp+starttls://me%40uni.edu@mail.uni.edu``) logs in with the password from
``$PAPERSIFT_SMTP_PASSWORD``, which is never stored or printed.

The DATA phase is driven by hand so that the caller is told (``before_final_dot``) just before the one
line that makes the server accept the message: a crash before it leaves nothing delivered, a crash
after it an unknown outcome.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import getaddresses
from urllib.parse import unquote, urlsplit

from ..errors import ConfigError, PapersiftError

PASSWORD_ENV = "PAPERSIFT_SMTP_PASSWORD"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}


class DeliveryError(PapersiftError):
    """A message could not be delivered this time; the next run retries it."""


class SmtpAuthError(DeliveryError):
    """The mail server refused the login: the user must fix the URL or password."""


class OutcomeUnknown(DeliveryError):
    """The connection died after the message was complete: the server may or may not have accepted it."""


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @property
    def display(self) -> str:
        """The URL without any secret: for logs and messages."""
        user = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str, password: str | None = None, timeout: float = 30.0) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ConfigError(f"expected smtp://, smtps:// or smtp+starttls://host[:port], not {url!r}")
    if parts.password:
        raise ConfigError(f"put the SMTP password in ${PASSWORD_ENV}, not in the URL")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise ConfigError(f"{url!r}: the port is not a number") from None
    user = unquote(parts.username) if parts.username else None
    if password is None:
        password = os.environ.get(PASSWORD_ENV)
    if user and not password:
        raise ConfigError(f"the SMTP URL names user {user!r}: set ${PASSWORD_ENV} to its password")
    return SmtpTarget(parts.scheme, parts.hostname, port, user, password, timeout)


def _dot_stuffed(payload: bytes) -> bytes:
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", payload)
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def send_message(
    target: SmtpTarget,
    sender: str,
    recipients: list[str],
    payload: bytes,
    before_final_dot: Callable[[], None] = lambda: None,
    context: ssl.SSLContext | None = None,
    on_step: Callable[[str], None] = lambda step: None,
) -> None:
    """Deliver ``payload`` (RFC 5322 bytes) or raise: :class:`SmtpAuthError` (fix the config),
    :class:`OutcomeUnknown` (no reply to the final dot), :class:`DeliveryError` (not delivered)."""
    envelope_from = getaddresses([sender])[0][1] or sender
    context = context or ssl.create_default_context()
    where = target.display
    try:
        if target.scheme == "smtps":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=target.timeout, context=context)
        else:
            conn = smtplib.SMTP(target.host, target.port, timeout=target.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{where}: cannot connect ({exc})") from None
    try:
        conn.ehlo()
        if target.scheme == "smtp+starttls":
            conn.starttls(context=context)
            conn.ehlo()
        if target.user:
            try:
                conn.login(target.user, target.password or "")
            except smtplib.SMTPAuthenticationError as exc:
                raise SmtpAuthError(f"{where}: the server refused the login ({exc.smtp_code})") from None
        on_step("connected")
        code, reply = conn.mail(envelope_from)
        if code != 250:
            raise DeliveryError(f"{where}: MAIL FROM refused: {code} {_text(reply)}")
        for recipient in recipients:
            code, reply = conn.rcpt(recipient)
            if code not in (250, 251):
                raise DeliveryError(f"{where}: recipient {recipient} refused: {code} {_text(reply)}")
        code, reply = conn.docmd("DATA")
        if code != 354:
            raise DeliveryError(f"{where}: DATA refused: {code} {_text(reply)}")
        conn.send(_dot_stuffed(payload))
        on_step("data")
        before_final_dot()
        conn.send(b".\r\n")
        try:
            code, reply = conn.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            raise OutcomeUnknown(f"{where}: no answer after the message was complete ({exc})") from None
        if code != 250:
            raise DeliveryError(f"{where}: message refused: {code} {_text(reply)}")
    except (DeliveryError, ConfigError):
        raise
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{where}: {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{where}: {exc.__class__.__name__}: {exc}") from None
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
