"""Delivery channels, registered in one table: each makes its deliveries of a digest and sends one.

A channel turns a digest's picks into :class:`~papersift.store.deliveries.NewDelivery` rows (the exact
bytes to send, recorded before anything is sent) and sends one recorded delivery through a
:class:`Transport`. The daily run and ``digest --email`` look channels up here; a new channel is one
:func:`register_channel` call, as e-mail and webhooks are.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..config import Config, config_file_name
from ..errors import ConfigError
from ..models import Recommendation
from ..store.deliveries import DeliveryRecord, NewDelivery
from .mail import compose, new_message_id, webhook_body
from .tokens import Tokens


class Transport(Protocol):
    """Sends one recorded delivery; raises :class:`DeliveryError` (or :class:`SmtpAuthError`)."""

    def send_mail(self, sender: str, to: str, payload: bytes, before_final_dot: Callable[[], None]) -> None: ...

    def post_webhook(self, url: str, payload: bytes, before_send: Callable[[], None]) -> None: ...


@dataclass(frozen=True)
class Outgoing:
    """What a channel needs to make a digest's deliveries."""

    config: Config
    profile: str
    picks: Sequence[Recommendation]
    now: dt.datetime
    tokens: Tokens
    emails: Sequence[str] = ()
    webhook: str | None = None
    days: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Channel:
    name: str
    make: Callable[[Outgoing], list[NewDelivery]]
    send: Callable[[Transport, Config, DeliveryRecord, Callable[[], None]], None]
    label: Callable[[DeliveryRecord], str]


CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    CHANNELS[channel.name] = channel


def channel(name: str) -> Channel:
    found = CHANNELS.get(name)
    if found is None:
        raise ConfigError(f"unknown delivery channel '{name}' (known: {', '.join(CHANNELS)})")
    return found


def make_deliveries(outgoing: Outgoing) -> list[NewDelivery]:
    """Every registered channel's deliveries of one digest."""
    return [new for registered in CHANNELS.values() for new in registered.make(outgoing)]


def mail_sender(config: Config) -> str:
    sender = config.smtp.sender
    if not sender:
        raise ConfigError(
            f"e-mail delivery needs [smtp] sender in {config_file_name(config)} "
            '(e.g. sender = "papersift <me@uni.edu>")'
        )
    return sender


def _make_email(out: Outgoing) -> list[NewDelivery]:
    if not out.emails:
        return []
    sender = mail_sender(out.config)
    found = []
    for address in out.emails:
        message_id = new_message_id(sender)
        message = compose(
            out.picks,
            profile=out.profile,
            to=address,
            sender=sender,
            day=out.now.date(),
            date=out.now,
            message_id=message_id,
            base_url=out.config.web.base_url,
            tokens=out.tokens,
            days=out.days,
        )
        found.append(NewDelivery("email", address, message_id, message.as_bytes()))
    return found


def _send_email(transport: Transport, config: Config, record: DeliveryRecord, before: Callable[[], None]) -> None:
    transport.send_mail(mail_sender(config), record.address, record.payload, before)


def _make_webhook(out: Outgoing) -> list[NewDelivery]:
    if not out.webhook:
        return []
    body = webhook_body(out.picks, out.profile, out.now.date())
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return [NewDelivery("webhook", out.webhook, new_message_id("webhook@papersift.invalid"), payload)]


def _send_webhook(transport: Transport, config: Config, record: DeliveryRecord, before: Callable[[], None]) -> None:
    transport.post_webhook(record.address, record.payload, before)


register_channel(Channel("email", _make_email, _send_email, lambda record: record.address))
register_channel(Channel("webhook", _make_webhook, _send_webhook, lambda record: "webhook"))
