"""The daily job: update sources, rank every delivered profile, deliver each digest once.

Durability, in order, for each profile and day:

1. the digest is ranked (nothing written);
2. the digest (the one digest record every channel reads, :mod:`papersift.store.digest_record`), and
   one delivery per address and channel (its Message-ID and the exact bytes to send, status
   ``pending``), are recorded in one transaction;
3. its papers are marked shown (the digest's ``shown_at``): they are in the outbox, kept for retries;
4. each delivery is sent: attempts counted first; just before the final line of SMTP DATA the status
   becomes ``sending``; after the server's 250 it becomes ``sent``.

A rerun the same day finds the digest and sends only what is not ``sent``: ``pending`` and ``failed``
deliveries are (re)sent byte for byte, with the same Message-ID. A delivery found ``sending`` means a
run died between the final dot and the record of the answer: the server may have the mail, and SMTP
offers no way to ask, so it is marked ``unknown`` and not resent (at most once), with a line in the run
log. The window in which such a crash loses a mail is the few microseconds between recording
``sending`` and writing the final dot. A connection that drops without the server's 250 (while this
process lives) is a failure: per RFC 5321 the server has not taken the message, so it is retried.

A delivery that failed is retried by every run for :data:`RETRY_DAYS`; a run that leaves one failed
reports it as deferred (exit status 75, ``EX_TEMPFAIL``) and says until when.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..clock import local_now
from ..config import Config, DeliverConfig, config_file_name, user_dir
from ..digests import Digest
from ..encoders import Encoder, get_encoder
from ..errors import ConfigError, PapersiftError
from ..models import Recommendation
from ..ranking import RankOptions
from ..ranking.personal import DigestOptions
from ..store import Store
from ..store.deliveries import DeliveryRecord, NewDelivery
from ..store.digest_record import DigestRecord
from ..store.papers import PaperCache
from .channels import Outgoing, Transport, channel, make_deliveries
from .smtp import DeliveryError, OutcomeUnknown, SmtpAuthError, SmtpTarget, parse_smtp_url, send_message
from .tokens import Tokens, secret_key

RETRY_DAYS = 7  # a digest that could not be sent is retried for a week, then left as failed
EX_TEMPFAIL = 75  # sysexits.h: a temporary failure, try again later (what a deferred delivery is)
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
    retry_until: dt.date | None = None  # a delivery failed: the next runs retry it up to this day

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
    def deferred(self) -> list[ProfileOutcome]:
        """The profiles with a delivery that failed this run and is kept for the next runs to retry."""
        return [p for p in self.profiles if p.failed and p.retry_until is not None]

    @property
    def exit_code(self) -> int:
        """1: something to fix; 75 (EX_TEMPFAIL): a delivery was deferred to the next run; else 0."""
        if self.must_fix:
            return 1
        return EX_TEMPFAIL if self.deferred else 0

    def retry_note(self) -> str | None:
        """When the deferred deliveries are tried again, as one sentence (None when none was deferred)."""
        deferred = self.deferred
        if not deferred:
            return None
        until = max(p.retry_until for p in deferred if p.retry_until is not None)
        n = sum(p.failed for p in deferred)
        return (
            f"{n} deliver{'y' if n == 1 else 'ies'} deferred: the next `papersift run` retries "
            f"{'it' if n == 1 else 'them'} (every run until {until.isoformat()}), with the same papers"
        )


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
        for earlier in self.store.daily_digests(target.profile, limit=RETRY_DAYS + 1):
            if earlier.day is not None and today - dt.timedelta(days=RETRY_DAYS) <= earlier.day < today:
                self._deliver(earlier, outcome, retry_only=True)
        if WEEKDAY_KEYS[today.weekday()] not in target.days:
            outcome.lines.append(f"{WEEKDAY_KEYS[today.weekday()]} is not a delivery day ({', '.join(target.days)})")
            return
        digest = self.store.digest_of_day(target.profile, today)
        if digest is None:
            ranked = self._rank(target, today, outcome)
            if ranked is None:
                return
            picks = ranked.recommendations
            if self.dry_run:
                addresses = self._addresses(target)
                line = f"dry run: would send {len(picks)} papers to {', '.join(addresses) or 'no address (feed only)'}"
                if addresses and not (self.config.smtp.url and self.config.smtp.sender):
                    # A dry run that looks fine and a real run that fails on the settings helps nobody.
                    line += f", but e-mail needs [smtp] url and sender in {config_file_name(self.config)}"
                outcome.lines.append(line)
                return
            digest = self.store.record_daily_digest(
                target.profile,
                today,
                picks,
                self._new_deliveries(target, picks, now),
                model_id=ranked.model_id,
                n_candidates=ranked.candidates,
                params={"top": target.top, "min_relevance": target.min_relevance, "ratings": ranked.n_ratings},
            )
            checkpoint("recorded")
        outcome.picks = len(digest.picks)
        self._deliver(digest, outcome, retry_only=False)

    def _rank(self, target: DeliverConfig, today: dt.date, outcome: ProfileOutcome) -> Digest | None:
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
            return None
        return digest

    def _addresses(self, target: DeliverConfig) -> list[str]:
        stopped = self.store.unsubscribed(target.profile)
        return [a for a in target.email if a.lower() not in stopped]

    def _new_deliveries(
        self, target: DeliverConfig, picks: Sequence[Recommendation], now: dt.datetime
    ) -> list[NewDelivery]:
        assert self.tokens is not None
        outgoing = Outgoing(
            self.config,
            target.profile,
            picks,
            now,
            self.tokens,
            emails=self._addresses(target),
            webhook=target.webhook,
            days=target.days,
        )
        return make_deliveries(outgoing)

    # -- sending -----------------------------------------------------------------

    def _deliver(self, digest: DigestRecord, outcome: ProfileOutcome, retry_only: bool) -> None:
        if not digest.shown and not self.dry_run:
            # The digest is kept and its deliveries retried for RETRY_DAYS: its papers are in the outbox.
            self.store.mark_digest_shown(digest.id)
            checkpoint("run-recorded")
        records = self.store.deliveries_of(digest.id)
        if not records and not retry_only:
            outcome.lines.append(f"{len(digest.picks)} papers in the feed (no e-mail address or webhook)")
        stopped = self.store.unsubscribed(digest.profile)
        for record in records:
            label = channel(record.channel).label(record)
            if retry_only:
                label = f"{label} ({digest.day})"
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
                    self.store.mark_unknown(record.id, note)
                outcome.lines.append(f"{label}: {note}")
                continue
            if record.channel == "email" and record.address.lower() in stopped:
                if not self.dry_run:
                    self.store.mark_cancelled(record.id, "unsubscribed")
                outcome.lines.append(f"{label}: unsubscribed, not sent")
                continue
            if self.dry_run:
                outcome.lines.append(f"{label}: dry run: would send ({record.status}, {record.attempts} attempts)")
                continue
            if self._auth_failed and record.channel == "email":
                self.store.mark_failed(record.id, self._auth_failed)
                outcome.failed += 1
                continue
            self._send(record, label, outcome, digest.day)

    def _send(self, record: DeliveryRecord, label: str, outcome: ProfileOutcome, day: dt.date | None) -> None:
        assert self.transport is not None
        if not self.store.mark_attempt(record):
            outcome.lines.append(f"{label}: another run is sending it")
            return
        attempt = record.attempts + 1

        def irrevocable() -> None:
            self.store.mark_sending(record.id)

        if day is not None:
            outcome.retry_until = max(outcome.retry_until or day, day + dt.timedelta(days=RETRY_DAYS))
        try:
            channel(record.channel).send(self.transport, self.config, record, irrevocable)
        except SmtpAuthError as exc:
            self._auth_failed = str(exc)
            self.store.mark_failed(record.id, str(exc))
            outcome.failed += 1
            outcome.must_fix = True
            outcome.lines.append(f"{label}: not sent, the next run retries: {exc}")
            return
        except OutcomeUnknown as exc:
            self.store.mark_failed(record.id, str(exc))
            outcome.failed += 1
            outcome.lines.append(
                f"{label}: {exc}; no 250 means the server did not take it: the next run resends it "
                f"with the same Message-ID (attempt {attempt})"
            )
            return
        except DeliveryError as exc:
            self.store.mark_failed(record.id, str(exc))
            outcome.failed += 1
            outcome.lines.append(f"{label}: not sent, the next run retries (attempt {attempt}): {exc}")
            return
        checkpoint("accepted")
        self.store.mark_sent(record.id)
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
