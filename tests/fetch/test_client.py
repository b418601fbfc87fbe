"""The polite client: User-Agent, per-host spacing, retries, Retry-After, giving up with a clear error."""

from __future__ import annotations

import email.utils
import socket

import httpx
import pytest

from papersift.errors import SourceError
from papersift.fetch.client import SourceUnavailable
from tests.fetch.helpers import FakeClock, make_client, text

ARXIV = "https://export.arxiv.org/api/query"
RSS = "https://rss.arxiv.org/rss/cs.LG"
OPENALEX = "https://api.openalex.org/works"


def ok(_: httpx.Request) -> httpx.Response:
    return text("{}")


def test_user_agent_names_papersift_and_the_contact() -> None:
    client, log = make_client(ok)
    client.get(ARXIV, {"search_query": "all:x"}, service="arXiv")
    agent = log.requests[0][1].headers["User-Agent"]
    assert agent.startswith("papersift/0.1.0 (+https://github.com/papersift/papersift; mailto:me@example.org)")


def test_openalex_and_crossref_get_mailto_for_the_polite_pool_but_arxiv_does_not() -> None:
    client, log = make_client(ok)
    client.get(OPENALEX, {"filter": "author.id:A1"})
    client.get("https://api.crossref.org/works", {"query": "x"})
    client.get(ARXIV, {"search_query": "x"})
    assert log.params(0)["mailto"] == "me@example.org"
    assert log.params(1)["mailto"] == "me@example.org"
    assert "mailto" not in log.params(2)


def test_requests_to_one_service_are_spaced_by_its_policy() -> None:
    clock = FakeClock()
    client, log = make_client(ok, clock)
    for _ in range(3):
        client.get(ARXIV)
    client.get(RSS)  # another arXiv host shares arXiv's one-request-per-3-seconds slot
    times = [t for t, _ in log.requests]
    assert [round(b - a, 6) for a, b in zip(times, times[1:], strict=False)] == [3.0, 3.0, 3.0]


def test_hosts_are_limited_independently() -> None:
    clock = FakeClock()
    client, log = make_client(ok, clock)
    client.get(ARXIV)
    client.get(OPENALEX)  # not held up by arXiv's 3 s
    client.get(OPENALEX)
    times = [t for t, _ in log.requests]
    assert times[1] == times[0]
    assert times[2] - times[1] == pytest.approx(0.1)


def test_no_wait_when_enough_time_has_passed() -> None:
    clock = FakeClock()
    client, _ = make_client(ok, clock)
    client.get(ARXIV)
    clock.now += 10
    client.get(ARXIV)
    assert clock.sleeps == []


def test_429_with_retry_after_seconds_is_honoured() -> None:
    answers = iter([text("slow down", 429, {"Retry-After": "7"}), text("{}")])
    clock = FakeClock()
    client, log = make_client(lambda _: next(answers), clock)
    response = client.get(OPENALEX, service="OpenAlex")
    assert response.status_code == 200
    assert log.requests[1][0] - log.requests[0][0] == pytest.approx(7.0)


def test_retry_after_as_an_http_date() -> None:
    clock = FakeClock()
    when = email.utils.formatdate(clock.wall() + 20, usegmt=True)
    answers = iter([text("", 503, {"Retry-After": when}), text("{}")])
    client, log = make_client(lambda _: next(answers), clock)
    client.get(OPENALEX)
    assert log.requests[1][0] - log.requests[0][0] == pytest.approx(20.0, abs=1.0)


def test_5xx_backs_off_exponentially_then_succeeds() -> None:
    answers = iter([text("", 502), text("", 500), text("", 503), text("{}")])
    clock = FakeClock()
    client, log = make_client(lambda _: next(answers), clock)
    assert client.get(OPENALEX).status_code == 200
    times = [t for t, _ in log.requests]
    assert [round(b - a, 6) for a, b in zip(times, times[1:], strict=False)] == [2.0, 4.0, 8.0]


def test_backoff_has_jitter_and_a_cap() -> None:
    clock = FakeClock()
    answers = iter([text("", 500)] * 3 + [text("{}")])
    client, _ = make_client(lambda _: next(answers), clock, backoff_cap=3.0)
    client.jitter = lambda: 0.0  # the lowest jitter halves the delay
    client.get(OPENALEX)
    assert clock.sleeps == [pytest.approx(1.0), pytest.approx(1.5), pytest.approx(1.5)]


def test_gives_up_with_a_message_naming_service_and_request() -> None:
    client, log = make_client(lambda _: text("<html>down</html>", 503), max_attempts=4)
    with pytest.raises(SourceError) as caught:
        client.get(OPENALEX, {"filter": "author.id:A1"}, service="OpenAlex")
    message = str(caught.value)
    assert message.startswith("OpenAlex: GET https://api.openalex.org/works?filter=author.id:A1")
    assert "HTTP 503" in message and "gave up after 4 attempts" in message
    assert "mailto" not in message
    assert len(log.requests) == 4


def test_a_client_error_is_not_retried() -> None:
    client, log = make_client(lambda _: httpx.Response(404, json={"message": "author not found"}))
    with pytest.raises(SourceError, match=r"Semantic Scholar: GET .*: HTTP 404 \(author not found\)"):
        client.get("https://api.semanticscholar.org/graph/v1/author/1/papers", service="Semantic Scholar")
    assert len(log.requests) == 1


def test_connection_errors_and_timeouts_are_retried() -> None:
    calls = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        if len(calls) == 2:
            raise httpx.ReadTimeout("slow", request=request)
        return text("{}")

    client, _ = make_client(flaky)
    assert client.get(OPENALEX).status_code == 200
    assert len(calls) == 3


def test_timeouts_every_time_give_a_clear_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client, _ = make_client(slow, max_attempts=2)
    with pytest.raises(SourceError, match="dblp.org: GET https://dblp.org/pid/1/2.xml: timed out; gave up after 2"):
        client.get("https://dblp.org/pid/1/2.xml")


def test_an_absurd_retry_after_fails_at_once() -> None:
    client, log = make_client(lambda _: text("", 429, {"Retry-After": "86400"}))
    with pytest.raises(SourceError, match="asks to wait 86400 s"):
        client.get(OPENALEX, service="OpenAlex")
    assert len(log.requests) == 1


def test_zotero_backoff_header_holds_the_next_request() -> None:
    answers = iter([text("[]", 200, {"Backoff": "30"}), text("[]")])
    clock = FakeClock()
    client, log = make_client(lambda _: next(answers), clock)
    client.get("https://api.zotero.org/users/1/items/top")
    client.get("https://api.zotero.org/users/1/items/top")
    assert log.requests[1][0] - log.requests[0][0] == pytest.approx(30.0)


def test_a_host_name_without_dns_answer_fails_at_once_saying_so() -> None:
    """Offline, every request fails to resolve: one clear sentence at once, not half a minute of retries."""

    def offline(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from exc

    client, log = make_client(offline)
    with pytest.raises(SourceUnavailable, match=r"OpenAlex: GET .*: could not resolve api.openalex.org \(no network"):
        client.get(OPENALEX, service="OpenAlex")
    assert len(log.requests) == 1
