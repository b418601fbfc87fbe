"""Where papersift keeps its data, and its TOML config file: one place owns both."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from .errors import ConfigError

HOME_ENV = "PAPERSIFT_HOME"
DB_FILENAME = "papersift.db"
DATABASE_URL_ENV = "PAPERSIFT_DATABASE_URL"
# Candidates never shown leave the digest pool this many days after they were last fetched or imported.
DEFAULT_CANDIDATE_WINDOW_DAYS = 30


def user_dir() -> Path:
    """The data directory: ``$PAPERSIFT_HOME`` if set, else the platform's user data dir."""
    override = os.environ.get(HOME_ENV)
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("papersift"))
    return path


def default_db_path() -> Path:
    return user_dir() / DB_FILENAME


# -- the TOML configuration file ---------------------------------------------------

CONFIG_ENV = "PAPERSIFT_CONFIG"
CONTACT_ENV = "PAPERSIFT_CONTACT"
CONFIG_FILENAME = "config.toml"


@dataclass(frozen=True)
class SourceSpec:
    """One source of a profile's papers: ``kind`` is one of :data:`papersift.fetch.registry.PROFILE_SOURCES`."""

    kind: str
    value: str


# [[profiles]] and [[follow]] tables are kept as written (a profile's values checked to be strings or
# lists of strings, nothing more): what their keys mean belongs to the source registries
# (papersift.fetch.registry, papersift.fetch.followed), which sit above this module and read its
# tables; importing them from here made the cycle config -> fetch -> sources -> config.


@dataclass(frozen=True)
class ProfileConfig:
    """A ``[[profiles]]`` table: ``sources`` by key as written (``{"orcid": ("0000-...",)}``), read by
    :func:`papersift.fetch.registry.declared_sources`; ``where`` names the table in messages and ``base``
    is the folder relative paths start from."""

    name: str
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    zotero_key: str | None = field(default=None, repr=False)
    where: str = field(default="", compare=False)
    base: Path | None = field(default=None, compare=False)

    def __hash__(self) -> int:
        return hash((self.name, _written(self.sources), self.zotero_key))


@dataclass(frozen=True)
class FollowConfig:
    """A ``[[follow]]`` table: the candidate source ``papersift update`` fetches, with its options as written;
    :func:`papersift.fetch.followed.follow_fetchers` checks them against the source's registered options."""

    source: str
    options: Mapping[str, Any] = field(default_factory=dict)
    where: str = field(default="", compare=False)  # where it was written, for messages: not part of what it is
    base: Path | None = field(default=None, compare=False)

    def __hash__(self) -> int:
        return hash((self.source, _written(self.options)))


def _written(table: Mapping[str, Any]) -> str:
    """A table's values as one hashable text (they are TOML values: strings, numbers, dates, lists)."""
    return repr(sorted((key, repr(value)) for key, value in table.items()))


# The largest input file read ([input] max_bytes, or $PAPERSIFT_INPUT_MAX_BYTES); see docs/formats.md.
INPUT_MAX_BYTES_ENV = "PAPERSIFT_INPUT_MAX_BYTES"
DEFAULT_INPUT_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class StoreConfig:
    """``[store]``: where the store lives (``url``: a PostgreSQL URL, or a file path) and how long
    never-shown candidates stay in the digest pool (``candidate_window_days``)."""

    url: str | None = None
    candidate_window_days: int = DEFAULT_CANDIDATE_WINDOW_DAYS


@dataclass(frozen=True)
class NetworkConfig:
    """``[network]``: the limits every request keeps, and other base URLs for services (``[network.endpoints]``).

    ``endpoints`` maps a service's host to a base URL requests go to instead (a mirror, or a local
    test server): ``"api.openalex.org" = "http://127.0.0.1:8765/openalex"``.
    """

    deadline: float = 120.0  # seconds one request may take in all (a server trickling bytes is cut off)
    max_response_mb: float = 64.0  # the largest response body, also once decompressed
    max_retry_after: float = 60.0  # a longer Retry-After defers the source to the next run
    endpoints: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebConfig:
    """``[web]``: the key that signs links (never printed), and the public address of ``papersift serve``."""

    secret_key: str | None = field(default=None, repr=False)
    base_url: str = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class SmtpConfig:
    """``[smtp]``: the mail server (``url``, or ``$PAPERSIFT_SMTP_URL``) and the From address; the password is
    read from ``$PAPERSIFT_SMTP_PASSWORD`` only when sending."""

    url: str | None = None
    sender: str | None = None


@dataclass(frozen=True)
class DeliverConfig:
    """``[deliver.NAME]``: where and when profile NAME's digest goes (see docs/user-guide.md, "Daily delivery")."""

    profile: str
    email: tuple[str, ...] = ()
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    top: int = 20
    min_relevance: float = 0.3
    webhook: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    contact: str | None = None
    profiles: tuple[ProfileConfig, ...] = ()
    follow: tuple[FollowConfig, ...] = ()
    store: StoreConfig = StoreConfig()
    input_max_bytes: int = DEFAULT_INPUT_MAX_BYTES
    network: NetworkConfig = field(default_factory=NetworkConfig)
    web: WebConfig = WebConfig()
    smtp: SmtpConfig = SmtpConfig()
    deliver: tuple[DeliverConfig, ...] = ()


def default_config_path() -> Path:
    """``$PAPERSIFT_CONFIG``, else ``config.toml`` in the data directory."""
    override = os.environ.get(CONFIG_ENV)
    return Path(override).expanduser() if override else user_dir() / CONFIG_FILENAME


def config_file_name(config: Config) -> str:
    """How a message names the config file: its path, and when there is none yet, where it would be."""
    return str(config.path) if config.path else f"{default_config_path()} (no such file yet)"


def load_config(path: str | Path | None = None) -> Config:
    """Read and check the config file; a missing default file is an empty config, a missing named one an error.

    ``$PAPERSIFT_CONTACT`` overrides ``[contact] email``.
    """
    explicit = path is not None or CONFIG_ENV in os.environ
    file = Path(path).expanduser() if path is not None else default_config_path()
    if not file.exists():
        if explicit:
            raise ConfigError(f"{file}: the config file does not exist")
        return Config(contact=_contact(os.environ.get(CONTACT_ENV), file, "PAPERSIFT_CONTACT"), smtp=_smtp({}, file))
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot be read ({exc})") from None
    return _parse_config(data, file)


def store_location(config: Config | None = None) -> str | Path:
    """The store to open: ``$PAPERSIFT_DATABASE_URL``, else ``[store] url`` in the config file, else
    ``papersift.db`` in the data directory (SQLite)."""
    override = os.environ.get(DATABASE_URL_ENV, "").strip()
    if override:
        return override
    if config is None:
        config = load_config()
    return config.store.url or default_db_path()


TOP_LEVEL_TABLES = ("contact", "profiles", "follow", "store", "input", "network", "web", "smtp", "deliver")


def _parse_config(data: dict[str, Any], file: Path) -> Config:
    _no_unknown(data, set(TOP_LEVEL_TABLES), file, "")
    contact_table = data.get("contact", {})
    if not isinstance(contact_table, dict):
        raise ConfigError(f'{file}: contact: expected a table ([contact] email = "you@example.org")')
    _no_unknown(contact_table, {"email"}, file, "contact.")
    contact = os.environ.get(CONTACT_ENV) or contact_table.get("email")
    profiles = tuple(_profile(t, file, f"profiles[{i}]") for i, t in enumerate(_tables(data, "profiles", file)))
    names = [p.name for p in profiles]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"{file}: profiles: the name '{name}' is declared twice")
    follow = tuple(_follow(t, file, f"follow[{i}]") for i, t in enumerate(_tables(data, "follow", file)))
    return Config(
        path=file,
        contact=_contact(contact, file, "contact.email"),
        profiles=profiles,
        follow=follow,
        store=_store(data.get("store", {}), file),
        input_max_bytes=_input_max_bytes(data.get("input", {}), file),
        network=_network(data.get("network", {}), file),
        web=_web(_table(data, "web", file), file),
        smtp=_smtp(_table(data, "smtp", file), file),
        deliver=_deliver(_table(data, "deliver", file), file),
    )


def _store(table: Any, file: Path) -> StoreConfig:
    if not isinstance(table, dict):
        raise ConfigError(f'{file}: store: expected a table ([store] url = "postgresql://...")')
    _no_unknown(table, {"url", "candidate_window_days"}, file, "store.")
    url = _text(table, "url", file, "store")
    if url and "://" not in url:
        url = str((file.parent / Path(url).expanduser()).resolve())
    window = table.get("candidate_window_days", DEFAULT_CANDIDATE_WINDOW_DAYS)
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise ConfigError(
            f"{file}: store.candidate_window_days: expected a whole number of days (1 or more), not {window!r}"
        )
    return StoreConfig(url=url, candidate_window_days=window)


def _input_max_bytes(table: Any, file: Path) -> int:
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: input: expected a table ([input] max_bytes = 67108864)")
    _no_unknown(table, {"max_bytes"}, file, "input.")
    value = table.get("max_bytes", DEFAULT_INPUT_MAX_BYTES)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{file}: input.max_bytes: expected a positive number of bytes, not {value!r}")
    return value


def input_max_bytes(config: Config | None = None) -> int:
    """The largest input file read: ``$PAPERSIFT_INPUT_MAX_BYTES``, else ``[input] max_bytes``, else 64 MiB."""
    override = os.environ.get(INPUT_MAX_BYTES_ENV, "").strip()
    if override:
        if not override.isdigit() or int(override) <= 0 or len(override) > 18:
            raise ConfigError(f"{INPUT_MAX_BYTES_ENV}: expected a positive number of bytes, not {override!r}")
        return int(override)
    return (config or load_config()).input_max_bytes


def _network(table: Any, file: Path) -> NetworkConfig:
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: network: expected a table ([network] deadline = 120)")
    defaults = NetworkConfig()
    numbers = {"deadline": defaults.deadline, "max_response_mb": defaults.max_response_mb}
    numbers["max_retry_after"] = defaults.max_retry_after
    _no_unknown(table, {"endpoints", *numbers}, file, "network.")
    for key in numbers:
        value = table.get(key, numbers[key])
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e9:
            raise ConfigError(f"{file}: network.{key}: expected a positive number, not {value!r}")
        numbers[key] = float(value)
    endpoints = table.get("endpoints", {})
    if not isinstance(endpoints, dict):
        raise ConfigError(f'{file}: network.endpoints: expected a table ("api.openalex.org" = "http://...")')
    for host, base in endpoints.items():
        if not isinstance(base, str) or not base.startswith(("http://", "https://")):
            raise ConfigError(f"{file}: network.endpoints.{host}: expected an http(s) base URL, not {base!r}")
    return NetworkConfig(**numbers, endpoints={h.lower(): b for h, b in endpoints.items()})


def _contact(value: Any, file: Path, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or "@" not in value or any(c.isspace() for c in value.strip()):
        raise ConfigError(f"{file}: {where}: expected an e-mail address, not {value!r}")
    return value.strip()


def _tables(data: dict[str, Any], key: str, file: Path) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ConfigError(f"{file}: {key}: expected an array of tables ([[{key}]])")
    return value


def _no_unknown(table: dict[str, Any], known: set[str], file: Path, where: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{file}: {where}{key}: unknown key (known: {', '.join(sorted(known)) or 'none'})")


def _text(table: dict[str, Any], key: str, file: Path, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{file}: {where}.{key}: expected a non-empty string, not {value!r}")
    return value.strip()


def _texts(table: dict[str, Any], key: str, file: Path, where: str) -> tuple[str, ...]:
    value = table.get(key)
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(f"{file}: {where}.{key}: expected a string or a list of strings, not {value!r}")
    return tuple(v.strip() for v in values)


def _profile(table: dict[str, Any], file: Path, where: str) -> ProfileConfig:
    name = _text(table, "name", file, where)
    if name is None:
        raise ConfigError(f"{file}: {where}.name: every profile needs a name")
    sources = {key: _texts(table, key, file, where) for key in table if key not in ("name", "zotero_key")}
    return ProfileConfig(
        name, sources, _text(table, "zotero_key", file, where), where=f"{file}: {where}", base=file.parent
    )


def _follow(table: dict[str, Any], file: Path, where: str) -> FollowConfig:
    source = _text(table, "source", file, where)
    if source is None:
        raise ConfigError(f"{file}: {where}.source: every [[follow]] table names its source")
    options = {key: value for key, value in table.items() if key != "source"}
    return FollowConfig(source, options, where=f"{file}: {where}", base=file.parent)


# -- delivery: [web], [smtp] and [deliver.NAME] ---------------------------------------

SMTP_URL_ENV = "PAPERSIFT_SMTP_URL"
SMTP_SCHEMES = ("smtp", "smtps", "smtp+starttls")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _table(data: dict[str, Any], key: str, file: Path) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{file}: {key}: expected a table ([{key}])")
    return value


def _web(table: dict[str, Any], file: Path) -> WebConfig:
    _no_unknown(table, {"secret_key", "base_url"}, file, "web.")
    base_url = _text(table, "base_url", file, "web") or WebConfig.base_url
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{file}: web.base_url: expected an http:// or https:// address, not {base_url!r}")
    return WebConfig(secret_key=_text(table, "secret_key", file, "web"), base_url=base_url.rstrip("/"))


def _smtp(table: dict[str, Any], file: Path) -> SmtpConfig:
    _no_unknown(table, {"url", "sender"}, file, "smtp.")
    url = os.environ.get(SMTP_URL_ENV) or _text(table, "url", file, "smtp")
    if url is not None and url.split("://", 1)[0] not in SMTP_SCHEMES:
        where = SMTP_URL_ENV if os.environ.get(SMTP_URL_ENV) else f"{file}: smtp.url"
        raise ConfigError(f"{where}: expected {', '.join(s + '://' for s in SMTP_SCHEMES)} (host[:port]), not {url!r}")
    sender = _text(table, "sender", file, "smtp")
    if sender is not None and "@" not in sender:
        raise ConfigError(f"{file}: smtp.sender: expected an e-mail address (papersift <me@uni.edu>), not {sender!r}")
    return SmtpConfig(url=url, sender=sender)


def _deliver(tables: dict[str, Any], file: Path) -> tuple[DeliverConfig, ...]:
    found = []
    for name, table in tables.items():
        where = f"deliver.{name}"
        if not isinstance(table, dict):
            raise ConfigError(f"{file}: {where}: expected a table ([deliver.{name}] with email, days...)")
        _no_unknown(table, {"email", "days", "top", "min_relevance", "webhook"}, file, f"{where}.")
        emails = _texts(table, "email", file, where)
        for address in emails:
            _contact(address, file, f"{where}.email")
        days = tuple(d.lower()[:3] for d in _texts(table, "days", file, where)) or DeliverConfig.days
        for day in days:
            if day not in WEEKDAYS:
                raise ConfigError(f"{file}: {where}.days: expected days among {', '.join(WEEKDAYS)}, not {day!r}")
        top = table.get("top", DeliverConfig.top)
        if not isinstance(top, int) or isinstance(top, bool) or top < 1:
            raise ConfigError(f"{file}: {where}.top: expected a whole number of papers (1 or more), not {top!r}")
        min_relevance = table.get("min_relevance", DeliverConfig.min_relevance)
        if not isinstance(min_relevance, int | float) or isinstance(min_relevance, bool) or not 0 <= min_relevance <= 1:
            raise ConfigError(f"{file}: {where}.min_relevance: expected a number from 0 to 1, not {min_relevance!r}")
        webhook = _text(table, "webhook", file, where)
        if webhook is not None and not webhook.startswith(("https://", "http://")):
            raise ConfigError(f"{file}: {where}.webhook: expected an http(s):// address")
        found.append(DeliverConfig(name, emails, days, top, float(min_relevance), webhook))
    return tuple(found)
