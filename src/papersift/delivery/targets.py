"""Delivery settings: one source of truth for what `papersift run` delivers, whoever set it.

A profile's delivery can be set in two places: a ``[deliver.NAME]`` table in config.toml (the file an
individual or an admin edits), and the web app's Settings page (what a member of a shared server edits;
stored in the ``profile_settings`` table). The rule, said on the Settings page and by
``papersift run --dry-run``:

* a ``[deliver.NAME]`` table wins for profile NAME as a whole (e-mail, days, size, minimum relevance);
* every other profile whose settings were saved on the web is delivered as saved there (no table needed;
  an empty address makes a feed-only digest; no delivery day ticked means no delivery);
* the sources to fetch are the config's ``[[follow]]`` entries plus every saved profile's "Sources to
  fetch" (arXiv categories, ``huggingface``), each fetched once per run.

The web page saves through :func:`save_profile_settings`, the daily run reads through
:func:`effective_config`: the same functions, so what the page saves is what the run delivers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from ..config import Config, DeliverConfig, FollowConfig, config_file_name
from ..errors import ConfigError
from ..store import Store

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# arXiv category names (cs.LG, stat.ML, hep-th, astro-ph.GA); the fetcher checks them again.
_ARXIV_CATEGORY = re.compile(r"^[a-z][a-z-]{0,19}(\.[A-Za-z-]{1,12})?$")
_HUGGINGFACE = ("huggingface", "hf")
MAX_TOP = 200


class SettingsError(ConfigError):
    """A value the Settings page (or the API) cannot save; the message is one sentence for the user."""


@dataclass(frozen=True)
class ProfileSettings:
    """What a profile's owner sets on the web: digest size and floor, delivery address and days, sources."""

    top: int = 20
    min_relevance: float = 0.0
    email: str = ""
    days: tuple[str, ...] = WEEKDAYS[:5]
    follow: str = ""
    lab_opt_in: bool = False
    saved: bool = False  # False: never saved (the defaults above; the daily run does not deliver it)

    def as_dict(self) -> dict[str, Any]:
        return {
            "top": self.top,
            "min_relevance": self.min_relevance,
            "email": self.email,
            "days": list(self.days),
            "follow": self.follow,
        }


def read_profile_settings(store: Store, profile: str) -> ProfileSettings:
    """The profile's saved settings over the defaults (a value of a wrong type is read as the default)."""
    saved, lab = store.profile_settings(profile)
    base = ProfileSettings()
    if not saved and not lab:
        return base
    try:
        return _validated({**base.as_dict(), **saved}, lab_opt_in=lab, saved=True)
    except SettingsError:
        # Saved by an older version with looser checks: the parts that still parse, the rest as defaults.
        values = {k: v for k, v in saved.items() if k in base.as_dict()}
        good: dict[str, Any] = {}
        for key, value in values.items():
            try:
                _validated({**base.as_dict(), key: value})
                good[key] = value
            except SettingsError:
                continue
        return _validated({**base.as_dict(), **good}, lab_opt_in=lab, saved=True)


def save_profile_settings(store: Store, profile: str, values: dict[str, Any], lab_opt_in: bool) -> ProfileSettings:
    """Check ``values`` (top, min_relevance, email, days, follow; missing keys keep their defaults) and save
    them; raises :class:`SettingsError` naming the first bad value, and saves nothing then."""
    settings = _validated({**ProfileSettings().as_dict(), **values}, lab_opt_in=lab_opt_in, saved=True)
    store.save_profile_settings(profile, settings.as_dict(), lab_opt_in)
    return settings


def _validated(values: dict[str, Any], lab_opt_in: bool = False, saved: bool = False) -> ProfileSettings:
    top = values.get("top", 20)
    if isinstance(top, str) and top.strip().isdigit():
        top = int(top.strip())
    if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= MAX_TOP:
        raise SettingsError(f"Digest size goes from 1 to {MAX_TOP} papers, not {str(top)[:20]!r}.")
    floor = values.get("min_relevance", 0.0)
    try:
        floor = float(floor)
    except (TypeError, ValueError):
        raise SettingsError(f"Minimum relevance is a number from 0 to 1, not {str(floor)[:20]!r}.") from None
    if not 0 <= floor <= 1:
        raise SettingsError(f"Minimum relevance is a number from 0 to 1, not {floor:g}.")
    email = str(values.get("email") or "").strip()
    if email and ("@" not in email or any(c.isspace() for c in email) or len(email) > 254):
        raise SettingsError(f"'{email[:80]}' is not an e-mail address.")
    days_value = values.get("days") or ()
    if isinstance(days_value, str):
        days_value = days_value.replace(",", " ").split()
    days = tuple(d for d in WEEKDAYS if d in {str(x).lower()[:3] for x in days_value})
    follow = " ".join(str(values.get("follow") or "").replace(",", " ").split())[:500]
    web_follows(follow)  # refuse what the daily run could not fetch, now
    return ProfileSettings(top, floor, email, days, follow, lab_opt_in, saved)


WEB_WHERE = "web settings"


def _categories(follow: FollowConfig) -> list[str]:
    """An arXiv [[follow]] table's categories as written (a string or a list; the fetch registry checks them)."""
    value = follow.options.get("categories", ())
    return [value] if isinstance(value, str) else [c for c in value if isinstance(c, str)]


def web_follows(text: str) -> tuple[FollowConfig, ...]:
    """The sources a Settings page's "Sources to fetch" names: arXiv categories and ``huggingface``."""
    categories: list[str] = []
    found: list[FollowConfig] = []
    for word in text.replace(",", " ").split():
        if word.lower() in _HUGGINGFACE:
            found.append(FollowConfig("huggingface", where=WEB_WHERE))
        elif _ARXIV_CATEGORY.match(word):
            categories.append(word)
        else:
            raise SettingsError(
                f"'{word[:80]}' is not a source papersift can fetch: name arXiv categories (cs.LG stat.ML) "
                "or huggingface (the Hugging Face daily papers)."
            )
    if categories:
        found.insert(0, FollowConfig("arxiv", {"categories": list(dict.fromkeys(categories))}, where=WEB_WHERE))
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class DeliveryPlan:
    """One profile's effective delivery and where it came from (for --dry-run and the Settings page)."""

    target: DeliverConfig
    origin: str  # "config.toml [deliver.me]" or "web settings"
    shadowed: bool = False  # the profile also has saved web settings, which the table overrides

    @property
    def from_file(self) -> bool:
        return self.origin != "web settings"

    def describe(self) -> str:
        t = self.target
        where = ", ".join(t.email) or "no address (feed only)"
        days = ", ".join(t.days) or "no day"
        line = (
            f"{t.profile}: to {where}; {days}; top {t.top}, min relevance {t.min_relevance:g} "
            f"(from {self.origin}"
        )
        return line + (", which overrides its web settings)" if self.shadowed else ")")


def delivery_plans(store: Store, config: Config) -> list[DeliveryPlan]:
    """Every delivered profile: config tables first (they win), then profiles set up on the web."""
    name = config_file_name(config)
    plans: dict[str, DeliveryPlan] = {}
    for target in config.deliver:
        plans[target.profile] = DeliveryPlan(target, f"{name} [deliver.{target.profile}]")
    for info in store.profiles():
        settings = read_profile_settings(store, info.name)
        if not settings.saved:
            continue
        if info.name in plans:
            plans[info.name] = replace(plans[info.name], shadowed=True)
            continue
        if not settings.days:
            continue
        target = DeliverConfig(
            info.name,
            email=(settings.email,) if settings.email else (),
            days=settings.days,
            top=settings.top,
            min_relevance=settings.min_relevance,
        )
        plans[info.name] = DeliveryPlan(target, "web settings")
    return list(plans.values())


def plan_for(store: Store, config: Config, profile: str) -> DeliveryPlan | None:
    """The effective delivery of one profile (None: not delivered)."""
    return next((p for p in delivery_plans(store, config) if p.target.profile == profile), None)


def effective_config(store: Store, config: Config) -> Config:
    """``config`` with the deliveries and followed sources the web's saved settings add (see the module doc)."""
    plans = delivery_plans(store, config)
    follows = list(config.follow)
    known = {c for f in follows if f.source == "arxiv" for c in _categories(f)}
    categories: list[str] = []  # the web's new arXiv categories, fetched as one source
    for info in store.profiles():
        settings = read_profile_settings(store, info.name)
        if not settings.saved or not settings.follow:
            continue
        for follow in web_follows(settings.follow):
            if follow.source == "arxiv":
                categories += [c for c in _categories(follow) if c not in known and c not in categories]
            elif follow not in follows:
                follows.append(follow)
    if categories:
        follows.append(FollowConfig("arxiv", {"categories": categories}, where=WEB_WHERE))
    return replace(config, deliver=tuple(p.target for p in plans), follow=tuple(follows))
