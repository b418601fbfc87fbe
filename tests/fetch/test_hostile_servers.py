"""Hostile servers, for real: a fault-injecting server on loopback behind the whole fetch path.

Each scenario of :data:`tests.fetch.faultserver.SCENARIOS` (redirect loops, corrupt gzip, gzip
bombs, endless and trickling bodies, TLS failures, records no database can hold...) must end as
a clean error for that one source, or a correct import, within seconds.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from papersift.config import Config, NetworkConfig
from papersift.errors import SourceError
from papersift.fetch import HttpClient, ZoteroLibrary, fetch_source, update
from papersift.fetch.client import HostPolicy, SourceDeferred
from papersift.fetch.openalex import author_works
from papersift.store import Store
from tests.fetch.faultserver import SCENARIOS, FaultServer, Scenario, fault_client_options, run_scenario
from tests.fetch.helpers import FakeClock, make_client, text
from tests.fetch.hostile import (
    GOOD_CANDIDATES,
    GOOD_PROFILE_PAPERS,
    PROXY_VARIABLES,
    fault_servers,
    update_config,
)

OPENALEX = "https://api.openalex.org/works"


@pytest.fixture(autouse=True)
def no_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loopback servers are reached directly, whatever proxy the machine running the tests has."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[FaultServer, FaultServer, FaultServer]]:
    """The fault server (a 64 MiB gzip bomb), another origin it redirects to, and a TLS one."""
    with fault_servers(bomb_bytes=64 * 1024 * 1024) as three:
        yield three


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.fault + ("-tls" if s.tls else ""))
def test_every_fault_ends_as_a_clean_error_or_a_correct_import(
    scenario: Scenario, servers: tuple[FaultServer, FaultServer, FaultServer], tmp_path: Path
) -> None:
    plain, _, tls = servers
    outcome = run_scenario(scenario, plain, tls, tmp_path)
    assert outcome.kind == scenario.expect, outcome.message
    assert outcome.as_expected, outcome.message
    assert outcome.seconds < 10


def client_for(fault_url: str, **options: object) -> HttpClient:
    settings = fault_client_options() | options
    return HttpClient("me@example.org", endpoints={"api.openalex.org": fault_url}, **settings)  # type: ignore[arg-type]


def test_a_redirect_loop_waits_its_turn_per_hop_and_stops_at_five(servers: tuple[FaultServer, ...]) -> None:
    plain = servers[0]
    before = len(plain.seen)
    slow = HostPolicy(0.2)
    with client_for(plain.url("redirect-loop"), max_attempts=1, default_policy=slow, policies={}) as client:
        with pytest.raises(SourceError, match="more than 5 redirects"):
            client.get(OPENALEX, service="OpenAlex")
    hops = plain.seen[before:]
    assert len(hops) == 6  # the request and 5 redirects, not httpx's 21
    # Seen at the server, arrivals jitter on a busy machine; the client's spacing shows in the total.
    assert hops[-1].at - hops[0].at >= 5 * 0.2 - 0.05
    gaps = [b.at - a.at for a, b in zip(hops, hops[1:], strict=False)]
    assert min(gaps) >= 0.1


def test_the_zotero_key_never_follows_a_redirect_to_another_origin(servers: tuple[FaultServer, ...]) -> None:
    plain, other, _ = servers
    plain_before, other_before = len(plain.seen), len(other.seen)
    options = fault_client_options()
    endpoints = {"api.zotero.org": plain.url("redirect-away")}
    with HttpClient("me@example.org", endpoints=endpoints, **options) as client:  # type: ignore[arg-type]
        fetch_source_report = fetch_source(Store(":memory:"), ZoteroLibrary("123", "SECRET-KEY"), client)
    first, followed = plain.seen[plain_before], other.seen[other_before]
    assert first.headers.get("Zotero-API-Key") == "SECRET-KEY"
    assert "Zotero-API-Key" not in followed.headers and "SECRET-KEY" not in str(followed.headers)
    assert followed.headers.get("Zotero-API-Version") == "3"  # harmless headers still go
    assert fetch_source_report is not None


def test_the_key_stays_on_a_redirect_within_the_origin(servers: tuple[FaultServer, ...]) -> None:
    plain = servers[0]
    before = len(plain.seen)
    with client_for(plain.url("redirect-once")) as client:
        client.get(OPENALEX, headers={"Authorization": "Bearer T", "Zotero-API-Key": "K"})
    first, second = plain.seen[before : before + 2]
    assert second.path.startswith("/ok/")
    assert second.headers.get("Authorization") == "Bearer T" and second.headers.get("Zotero-API-Key") == "K"


def test_cross_origin_redirects_drop_authorization_too() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.openalex.org":
            return httpx.Response(302, headers={"Location": "https://elsewhere.example/works"})
        return text("{}")

    client, log = make_client(answer)
    client.get(OPENALEX, headers={"Authorization": "Bearer T", "Accept": "application/json"})
    followed = log.requests[1][1]
    assert "Authorization" not in followed.headers and followed.headers["Accept"] == "application/json"


def test_a_server_trickling_bytes_is_cut_off_by_the_total_deadline(servers: tuple[FaultServer, ...]) -> None:
    plain = servers[0]  # one byte every 0.3 s: each read succeeds, so only a total deadline ends it
    started = time.monotonic()
    with client_for(plain.url("slow-body"), deadline=1.0, timeout=5.0, max_attempts=1) as client:
        with pytest.raises(SourceError, match="timed out"):
            client.get(OPENALEX)
    assert 0.9 < time.monotonic() - started < 2.5


def test_a_declared_huge_body_is_refused_before_reading(servers: tuple[FaultServer, ...]) -> None:
    with client_for(servers[0].url("huge-length")) as client:
        with pytest.raises(SourceError, match="declares 1000000000000 bytes"):
            client.get(OPENALEX)


def test_a_gzip_bomb_costs_no_more_memory_than_the_limit(servers: tuple[FaultServer, ...]) -> None:
    limit = 4 * 1024 * 1024  # the bomb is 64 MiB of zeros
    with client_for(servers[0].url("gzip-bomb"), max_body_bytes=limit) as client:
        tracemalloc.start()
        try:
            with pytest.raises(SourceError, match="decompresses to more than"):
                client.get(OPENALEX)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 3 * limit


def test_a_long_retry_after_defers_the_source_without_sleeping(tmp_path: Path) -> None:
    clock = FakeClock()
    client, log = make_client(lambda _: text("slow down", 429, {"Retry-After": "599"}), clock)
    report = fetch_source(Store(tmp_path / "s.db"), author_works("A5023888391"), client)
    assert clock.sleeps == [] and len(log.requests) == 1
    assert report.deferred and not report.ok
    assert "asks to wait 599 s (papersift waits at most 60 s); deferred to the next run" in report.describe()
    assert report.describe().startswith("OpenAlex author A5023888391: deferred: ")
    with pytest.raises(SourceDeferred):
        client.get(OPENALEX)


def test_a_long_but_acceptable_wait_is_made_and_said(tmp_path: Path) -> None:
    from tests.fetch.helpers import openalex_page

    answers = iter([text("busy", 503, {"Retry-After": "45"}), text(openalex_page(1, None))])
    clock = FakeClock()
    client, _ = make_client(lambda _: next(answers), clock)
    report = fetch_source(Store(tmp_path / "s.db"), author_works("A5023888391"), client)
    assert report.ok and clock.sleeps == [pytest.approx(45.0)]
    assert any("asked to wait 45 s" in w for w in report.warnings)


def test_the_retry_after_cap_comes_from_the_config() -> None:
    config = Config(network=NetworkConfig(max_retry_after=5.0, deadline=7.0, max_response_mb=1.0))
    client = HttpClient.from_config(config)
    assert (client.max_retry_after, client.deadline, client.max_body_bytes) == (5.0, 7.0, 1024 * 1024)


def test_update_runs_every_source_and_keeps_the_good_ones_whatever_the_others_do(
    servers: tuple[FaultServer, ...], tmp_path: Path
) -> None:
    plain = servers[0]
    config = update_config(plain)
    store = Store(tmp_path / "s.db")
    with HttpClient.from_config(config, **fault_client_options()) as client:
        reports = update(store, config, client)
    by_label = {r.label: r for r in reports}
    assert len(reports) == 7
    assert "more than 5 redirects" in (by_label["ORCID 0000-0002-1825-0097"].error or "")
    assert "decompresses to more than" in (by_label["Semantic Scholar author 12345"].error or "")
    assert "nested too deeply" in (by_label["DBLP 73/6258"].error or "")
    assert "gzip data is corrupt" in (by_label["Hugging Face Daily Papers (latest)"].error or "")
    assert not by_label["arXiv cs.LG (latest day)"].ok
    good = by_label["OpenAlex author A5023888391"]
    assert good.ok and good.got == 2
    feed = by_label[plain.url("surrogate") + "/feed.json"]
    assert feed.ok and feed.got == 2 and any("lone UTF-16 surrogates" in w for w in feed.warnings)
    assert len(store.profile_papers("me")) == GOOD_PROFILE_PAPERS
    assert len(store.candidate_papers()) == GOOD_CANDIDATES
    titles = {p.title for p in store.candidate_papers()}
    assert "Lone \ufffd surrogate" in titles
    assert all("please report" not in (r.error or "") for r in reports)


def test_proxies_from_the_environment_are_still_used_with_the_deadline(
    servers: tuple[FaultServer, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = servers[0]  # acting as the proxy: it serves the fault named in the proxied URL's path
    monkeypatch.setenv("HTTP_PROXY", plain.base)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with client_for("http://papers.invalid/ok") as client:
        assert client.get(OPENALEX).status_code == 200
    assert plain.proxied[-1].startswith("http://papers.invalid/ok/works")
    started = time.monotonic()
    with client_for("http://papers.invalid/slow-body", deadline=1.0, timeout=5.0, max_attempts=1) as client:
        with pytest.raises(SourceError, match="timed out"):
            client.get(OPENALEX)
    assert time.monotonic() - started < 2.5


def test_papersift_update_reads_network_from_the_config_and_reports_each_source(
    servers: tuple[FaultServer, ...], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from papersift.cli import cli

    plain = servers[0]
    config = tmp_path / "config.toml"
    config.write_text(
        "[network]\ndeadline = 2\nmax_response_mb = 1\n"
        "[network.endpoints]\n"
        f'"api.openalex.org" = "{plain.url("ok")}"\n'
        f'"huggingface.co" = "{plain.url("gzip-bomb")}"\n'
        '[[follow]]\nsource = "openalex"\nquery = "widgets"\n'
        '[[follow]]\nsource = "huggingface"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["update", "--config", str(config)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "OpenAlex search 'widgets': got 2 (new 2)"
    assert lines[1].startswith("Hugging Face Daily Papers (latest): failed: Hugging Face: GET https://huggingface.co/")
    assert "decompresses to more than the 1048576 bytes accepted" in lines[1]
    assert "1 of 2 sources failed" in result.stderr
