"""The daily job: update sources, rank every delivered profile, deliver each digest once.

Durability, in order, for each profile and day:

1. the digest is ranked (nothing written);
2. the digest, and one delivery per address (its Message-ID and the exact bytes to send, status
   ``pending``), are recorded in one transaction;
3. the ranking run is recorded and its papers marked shown (the digest row remembers it was);
4. each delivery is sent: attempts counted first; just before the final line of SMTP DATA the status
   becomes ``sending``; after the server's 250 it becomes ``sent``.

A rerun the same day finds the digest and sends only what is not ``sent``: ``pending`` and ``failed``
deliveries are (re)sent byte for byte, with the same Message-ID. A delivery found ``sending`` means a
run died between the final dot and the record of the answer: the server may have the mail, and SMTP
offers no way to ask, so it is marked ``unknown`` and not resent (at most once), with a line in the run
log. The window in which such a crash loses a mail is the few microseconds between recording
``sending`` and writing the final dot. A connection that drops without the server's 250 (while this
process lives) is a failure: per RFC 5321 the server has not taken the message, so it is retried.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..clock import local_now
from ..config import Config, DeliverConfig, config_file_name, user_dir
from ..encoders import Encoder, get_encoder
from ..errors import ConfigError, PapersiftError
from ..ranking import RankOptions
from ..ranking.personal import DigestOptions
from ..store import Store
from ..store import deliveries as ds
from ..store.papers import PaperCache
from .mail import compose, new_message_id, webhook_body
from .smtp import DeliveryError, OutcomeUnknown, SmtpAuthError, SmtpTarget, parse_smtp_url, send_message
from .tokens import Tokens, secret_key

RETRY_DAYS = 7  # a digest that could not be sent is retried for a week, then left as failed
PAUSE_ENV = "PAPERSIFT_PAUSE_AT"  # fault-injection tests: stop (sleep) at this step of a run
PAUSE_SIGNAL_ENV = "PAPERSIFT_PAUSE_SIGNAL"  # ... after creating this file
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def checkpoint(step: str) -> None:
    """A named step of a run; with ``$PAPERSIFT_PAUSE_AT`` = step the process stops here (to be killed in tests)."""
    if os.environ.get(PAUSE_ENV) != step:
        return
    signal = os.environ.get(PAUSE_SIGNAL_ENV)
    if signal:
        Path(signal).write_text(step, encoding="utf-8")
    while True:
        time.sleep(60)


class Transport(Protocol):
    """Sends one recorded delivery; raises :class:`DeliveryError` (or :class:`SmtpAuthError`)."""

    def send_mail(self, sender: str, to: str, payload: bytes, before_final_dot: Callable[[], None]) -> None: ...

    def post_webhook(self, url: str, payload: bytes, before_send: Callable[[], None]) -> None: ...


class NetworkTransport:
    """SMTP by :mod:`smtplib`, webhooks by httpx."""

    def __init__(self, smtp: SmtpTarget | None) -> None:
        self.smtp = smtp

    def send_mail(self, sender: str, to: str, payload: bytes, before_final_dot: Callable[[], None]) -> None:
        if self.smtp is None:
            raise ConfigError("e-mail delivery needs [smtp] url in the config file (or $PAPERSIFT_SMTP_URL)")
        send_message(self.smtp, sender, [to], payload, before_final_dot, on_step=checkpoint)

    def post_webhook(self, url: str, payload: bytes, before_send: Callable[[], None]) -> None:
        import httpx

        before_send()
        try:
            response = httpx.post(url, content=payload, headers={"Content-Type": "application/json"}, timeout=30)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook: {exc.__class__.__name__}: {exc}") from None
        if response.status_code >= 300:
            raise DeliveryError(f"webhook: HTTP {response.status_code}")


@dataclass
class ProfileOutcome:
    """What the run did for one profile: picks in today's digest, deliveries sent/failed, and why.

    ``must_fix`` is set when one of ``lines`` is a reason in :attr:`RunReport.must_fix` (the user must
    fix something); the lines always say why, so an interface shows them and no reason a second time.
    """

    profile: str
    picks: int = 0
    sent: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)
    must_fix: bool = False

    def describe(self) -> str:
        head = f"profile {self.profile}: "
        return head + ("; ".join(self.lines) if self.lines else "nothing to do")


@dataclass
class RunReport:
    """A run's outcome. ``must_fix`` holds the reasons to exit non-zero (for a log or an exit code);
    each is also in the line of the profile it stopped (flagged :attr:`ProfileOutcome.must_fix`)."""

    day: dt.date
    sources: list[Any] = field(default_factory=list)  # FetchReport
    profiles: list[ProfileOutcome] = field(default_factory=list)
    must_fix: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.must_fix else 0


@contextmanager
def _run_lock(store: Store) -> Iterator[bool]:
    """One daily run at a time per store (a timer and a server's scheduler may overlap): an flock, which
    the kernel releases when its process dies, so a killed run never blocks the next one."""
    path = store.path.with_name(store.path.name + ".run.lock") if store.path.parent.is_dir() else None
    if path is None:
        path = user_dir() / "run.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class DailyJob:
    """One run of the daily job over a store and a config; ``clock`` says what time it is."""

    store: Store
    config: Config
    clock: Callable[[], dt.datetime] = local_now
    encoder: Encoder | None = None
    transport: Transport | None = None
    dry_run: bool = False
    log: Callable[[str], None] = lambda line: None
    tokens: Tokens | None = None
    _auth_failed: str | None = None
    _papers: PaperCache | None = None

    def run(self, profile: str | None = None, update: Callable[[], list[Any]] | None = None) -> RunReport:
        with _run_lock(self.store) as held:
            if not held:
                report = RunReport(self.clock().date())
                report.profiles.append(
                    ProfileOutcome("*", lines=["another papersift run is in progress; nothing done"])
                )
                return report
            return self._run(profile, update)

    def _run(self, profile: str | None, update: Callable[[], list[Any]] | None) -> RunReport:
        now = self.clock()
        today = now.date()
        report = RunReport(today)
        targets = self._targets(profile)
        if update is not None and not self.dry_run:
            report.sources = update()
            checkpoint("updated")
        self.encoder = self.encoder or get_encoder()
        # The profiles rank the same candidates and background: each paper is built from its rows once a run.
        self._papers = PaperCache()
        self.tokens = self.tokens or Tokens(secret_key(self.config))
        if self.transport is None:
            url = self.config.smtp.url
            needs_mail = any(t.email for t in targets)
            self.transport = NetworkTransport(parse_smtp_url(url) if url and needs_mail else None)
        for target in targets:
            outcome = ProfileOutcome(target.profile)
            report.profiles.append(outcome)
            try:
                self._profile(target, now, outcome)
            except ConfigError as exc:
                outcome.lines.append(f"not delivered: {exc}")
                outcome.must_fix = True
                report.must_fix.append(str(exc))
            except PapersiftError as exc:
                outcome.lines.append(f"failed: {exc}")
            self.log(outcome.describe())
        if self._auth_failed:
            report.must_fix.append(self._auth_failed)
        return report

    def _targets(self, profile: str | None) -> list[DeliverConfig]:
        targets = list(self.config.deliver)
        if profile is not None:
            targets = [t for t in targets if t.profile == profile]
            if not targets:
                raise ConfigError(
                    f"profile '{profile}' is not delivered: save its Settings on the web (papersift serve) "
                    f"or add a [deliver.{profile}] table to {config_file_name(self.config)}"
                )
        elif not targets:
            where = config_file_name(self.config)
            raise ConfigError(
                f"nothing to deliver: no profile's Settings were saved on the web (papersift serve) and {where} "
                "has no [deliver.NAME] tables"
            )
        return targets

    # -- one profile -------------------------------------------------------------

    def _profile(self, target: DeliverConfig, now: dt.datetime, outcome: ProfileOutcome) -> None:
        today = now.date()
        if target.profile not in {p.name for p in self.store.profiles()}:
            raise ConfigError(
                f"[deliver.{target.profile}]: there is no stored profile named '{target.profile}' "
                "(papersift profile import ... --name NAME, or fix the table's name)"
            )
        for earlier in ds.recent_digests(self.store, target.profile, limit=RETRY_DAYS + 1):
            if today - dt.timedelta(days=RETRY_DAYS) <= earlier.day < today:
                self._deliver(earlier, outcome, retry_only=True)
        if WEEKDAY_KEYS[today.weekday()] not in target.days:
            outcome.lines.append(f"{WEEKDAY_KEYS[today.weekday()]} is not a delivery day ({', '.join(target.days)})")
            return
        digest = ds.find_digest(self.store, target.profile, today)
        if digest is None:
            picks = self._rank(target, today, outcome)
            if not picks:
                return
            if self.dry_run:
                addresses = self._addresses(target)
                line = f"dry run: would send {len(picks)} papers to {', '.join(addresses) or 'no address (feed only)'}"
                if addresses and not (self.config.smtp.url and self.config.smtp.sender):
                    # A dry run that looks fine and a real run that fails on the settings helps nobody.
                    line += f", but e-mail needs [smtp] url and sender in {config_file_name(self.config)}"
                outcome.lines.append(line)
                return
            digest = ds.record_digest(
                self.store, target.profile, today, picks, self._new_deliveries(target, picks, now)
            )
            checkpoint("recorded")
        outcome.picks = len(digest.items)
        self._deliver(digest, outcome, retry_only=False)

    def _rank(self, target: DeliverConfig, today: dt.date, outcome: ProfileOutcome) -> list[dict[str, Any]]:
        from .. import api

        assert self.encoder is not None
        digest = api.digest_from_store(
            self.store,
            target.profile,
            encoder=self.encoder,
            options=RankOptions(top=target.top),
            record=False,
            settings=DigestOptions(min_relevance=target.min_relevance, today=today),
            paper_cache=self._papers,
        )
        checkpoint("ranked")
        if not digest.recommendations:
            why = (
                f"no candidate above min_relevance {target.min_relevance:g} "
                f"({digest.candidates} new candidates, {digest.below_threshold} below it, "
                f"{digest.excluded_seen} already shown or rated); no mail sent"
            )
            if digest.profile_size == 0:
                why = "the profile has no papers; no mail sent"
            elif digest.candidates == 0:
                why = f"no new candidates ({digest.excluded_seen} already shown or rated); no mail sent"
            outcome.lines.append(why)
            return []
        return [r.to_dict() for r in digest.recommendations]

    def _addresses(self, target: DeliverConfig) -> list[str]:
        stopped = ds.unsubscribed(self.store, target.profile)
        return [a for a in target.email if a.lower() not in stopped]

    def _new_deliveries(
        self, target: DeliverConfig, picks: list[dict[str, Any]], now: dt.datetime
    ) -> list[ds.NewDelivery]:
        assert self.tokens is not None
        found = []
        addresses = self._addresses(target)
        if addresses:
            sender = self.config.smtp.sender
            if not sender:
                raise ConfigError(
                    f"e-mail delivery needs [smtp] sender in {config_file_name(self.config)} "
                    '(e.g. sender = "papersift <me@uni.edu>")'
                )
            for address in addresses:
                message_id = new_message_id(sender)
                message = compose(
                    picks,
                    profile=target.profile,
                    to=address,
                    sender=sender,
                    day=now.date(),
                    date=now,
                    message_id=message_id,
                    base_url=self.config.web.base_url,
                    tokens=self.tokens,
                    days=target.days,
                )
                found.append(ds.NewDelivery("email", address, message_id, message.as_bytes()))
        if target.webhook:
            body = webhook_body(picks, target.profile, now.date())
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            found.append(
                ds.NewDelivery("webhook", target.webhook, new_message_id("webhook@papersift.invalid"), payload)
            )
        return found

    # -- sending -----------------------------------------------------------------

    def _deliver(self, digest: ds.DigestRecord, outcome: ProfileOutcome, retry_only: bool) -> None:
        if digest.run_id is None and not self.dry_run:
            self._record_run(digest)
        records = ds.deliveries_of(self.store, digest.id)
        if not records and not retry_only:
            outcome.lines.append(f"{len(digest.items)} papers in the feed (no e-mail address or webhook)")
        stopped = ds.unsubscribed(self.store, digest.profile)
        for record in records:
            label = f"{record.address} ({digest.day})" if retry_only else record.address
            if record.channel == "webhook":
                label = f"webhook ({digest.day})" if retry_only else "webhook"
            if record.status in ("sent", "unknown", "cancelled"):
                if not retry_only:
                    outcome.lines.append(f"{label}: already {record.status}")
                continue
            if record.status == "sending":
                note = (
                    f"a run stopped while sending Message-ID {record.message_id}; the server may have it and SMTP "
                    "cannot be asked, so it is not resent (at most once)"
                )
                if not self.dry_run:
                    ds.mark_unknown(self.store, record.id, note)
                outcome.lines.append(f"{label}: {note}")
                continue
            if record.channel == "email" and record.address.lower() in stopped:
                if not self.dry_run:
                    ds.mark_cancelled(self.store, record.id, "unsubscribed")
                outcome.lines.append(f"{label}: unsubscribed, not sent")
                continue
            if self.dry_run:
                outcome.lines.append(f"{label}: dry run: would send ({record.status}, {record.attempts} attempts)")
                continue
            if self._auth_failed and record.channel == "email":
                ds.mark_failed(self.store, record.id, self._auth_failed)
                outcome.failed += 1
                continue
            self._send(record, label, outcome)

    def _record_run(self, digest: ds.DigestRecord) -> None:
        from ..digests import pick_details

        papers = {p.store_id: p for p in self.store.papers_by_id(digest.paper_ids)}
        items = []
        details = {}
        for pick in digest.items:
            paper = papers.get(pick.get("id"))
            if paper is not None:
                items.append((int(pick["rank"]), float(pick["score"]), paper, list(pick.get("why") or [])))
                details[int(pick["rank"])] = pick_details(pick)
        run_id = self.store.record_run(
            digest.profile,
            self.encoder.model_id if self.encoder else "",
            len(items),
            items,
            params={"delivery": digest.day.isoformat()},
            mark_shown=True,
            details=details,
        )
        ds.set_digest_run(self.store, digest.id, run_id)
        checkpoint("run-recorded")

    def _send(self, record: ds.DeliveryRecord, label: str, outcome: ProfileOutcome) -> None:
        assert self.transport is not None
        if not ds.mark_attempt(self.store, record):
            outcome.lines.append(f"{label}: another run is sending it")
            return
        attempt = record.attempts + 1

        def irrevocable() -> None:
            ds.mark_sending(self.store, record.id)

        try:
            if record.channel == "email":
                assert self.config.smtp.sender is not None
                self.transport.send_mail(self.config.smtp.sender, record.address, record.payload, irrevocable)
            else:
                self.transport.post_webhook(record.address, record.payload, irrevocable)
        except SmtpAuthError as exc:
            self._auth_failed = str(exc)
            ds.mark_failed(self.store, record.id, str(exc))
            outcome.failed += 1
            outcome.must_fix = True
            outcome.lines.append(f"{label}: not sent, the next run retries: {exc}")
            return
        except OutcomeUnknown as exc:
            ds.mark_failed(self.store, record.id, str(exc))
            outcome.failed += 1
            outcome.lines.append(
                f"{label}: {exc}; no 250 means the server did not take it: the next run resends it "
                f"with the same Message-ID (attempt {attempt})"
            )
            return
        except DeliveryError as exc:
            ds.mark_failed(self.store, record.id, str(exc))
            outcome.failed += 1
            outcome.lines.append(f"{label}: not sent, the next run retries (attempt {attempt}): {exc}")
            return
        checkpoint("accepted")
        ds.mark_sent(self.store, record.id)
        checkpoint("marked")
        outcome.sent += 1
        outcome.lines.append(f"{label}: sent" + (f" (attempt {attempt})" if attempt > 1 else ""))


def run_daily(
    store: Store,
    config: Config,
    clock: Callable[[], dt.datetime] = local_now,
    *,
    profile: str | None = None,
    dry_run: bool = False,
    encoder: Encoder | None = None,
    transport: Transport | None = None,
    update: Callable[[], list[Any]] | None = None,
    log: Callable[[str], None] = lambda line: None,
    tokens: Tokens | None = None,
) -> RunReport:
    """Deliver every configured digest once for the clock's day (see the module docstring for the guarantees)."""
    job = DailyJob(store, config, clock, encoder, transport, dry_run, log, tokens)
    return job.run(profile, update)


def summary_lines(reports: Sequence[Any]) -> list[str]:
    return [r.describe() for r in reports]


def send_now(
    config: Config,
    profile: str,
    addresses: Sequence[str],
    picks: Sequence[dict[str, Any]],
    clock: Callable[[], dt.datetime] = local_now,
    transport: Transport | None = None,
    tokens: Tokens | None = None,
) -> list[str]:
    """Mail one digest now (``papersift digest --email``), outside the daily bookkeeping; returns Message-IDs.

    Raises :class:`DeliveryError` (or :class:`ConfigError`) when a message is not accepted.
    """
    sender = config.smtp.sender
    if not config.smtp.url or not sender:
        raise ConfigError(f"e-mail needs [smtp] url and sender in {config_file_name(config)}, or $PAPERSIFT_SMTP_URL")
    transport = transport or NetworkTransport(parse_smtp_url(config.smtp.url))
    tokens = tokens or Tokens(secret_key(config))
    now = clock()
    sent = []
    for address in addresses:
        message_id = new_message_id(sender)
        message = compose(
            list(picks),
            profile=profile,
            to=address,
            sender=sender,
            day=now.date(),
            date=now,
            message_id=message_id,
            base_url=config.web.base_url,
            tokens=tokens,
        )
        transport.send_mail(sender, address, message.as_bytes(), lambda: None)
        sent.append(message_id)
    return sent
