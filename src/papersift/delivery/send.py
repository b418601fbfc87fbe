"""``papersift digest --email``: mail a digest now, and lose nothing when the mail cannot go.

The digest is recorded with its papers *not* shown, and one delivery per address (its exact bytes)
beside it; its papers count as shown only once every address's server has taken the mail. When a
send fails, the delivery is marked failed and the papers stay unshown, so the next ``papersift
digest`` or ``papersift run`` offers them again (the failed message itself is not queued: a later
digest, with the day's papers, replaces it).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

from ..clock import local_now
from ..config import Config, config_file_name
from ..errors import ConfigError
from ..store import Store
from .channels import Outgoing, Transport, channel
from .daily import NetworkTransport
from .smtp import DeliveryError, parse_smtp_url
from .tokens import Tokens, secret_key


def email_digest(
    store: Store,
    config: Config,
    profile: str,
    digest_id: int,
    addresses: Sequence[str],
    clock: Callable[[], dt.datetime] = local_now,
    transport: Transport | None = None,
    tokens: Tokens | None = None,
) -> list[str]:
    """Mail recorded digest ``digest_id`` to ``addresses`` now; the Message-IDs sent.

    Raises :class:`DeliveryError` (or :class:`ConfigError`) when a message is not accepted; the
    digest's papers then stay unshown.
    """
    if not config.smtp.url or not config.smtp.sender:
        raise ConfigError(f"e-mail needs [smtp] url and sender in {config_file_name(config)}, or $PAPERSIFT_SMTP_URL")
    found = store.digest(profile, digest_id)
    if found is None:
        raise ConfigError(f"profile '{profile}' has no digest {digest_id}")
    email = channel("email")
    outgoing = Outgoing(config, profile, found.picks, clock(), tokens or Tokens(secret_key(config)), emails=addresses)
    store.add_deliveries(digest_id, email.make(outgoing))
    transport = transport or NetworkTransport(parse_smtp_url(config.smtp.url))
    sent, failed = [], []
    for record in store.deliveries_of(digest_id):
        if record.status != "pending" or not store.mark_attempt(record):
            continue
        try:
            email.send(transport, config, record, functools.partial(store.mark_sending, record.id))
        except DeliveryError as exc:
            store.mark_failed(record.id, str(exc))
            failed.append(f"{record.address}: {exc}")
            continue
        store.mark_sent(record.id)
        sent.append(record.message_id)
    if failed:
        n = len(found.picks)
        raise DeliveryError(
            f"not sent to {'; '.join(failed)}. The digest's {n} paper{'s' if n != 1 else ''} stay unshown: "
            "the next `papersift digest` or `papersift run` offers them again"
        )
    store.mark_digest_shown(digest_id)
    return sent
