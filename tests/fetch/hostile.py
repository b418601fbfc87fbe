"""The hostile-server set-up shared by tests/fetch/test_hostile_servers.py and benchmarks/reliability.py.

Both run :data:`tests.fetch.faultserver.SCENARIOS` against the same three loopback servers and one
``update`` of seven sources of which five meet a fault; this module is that set-up, written once.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager

from papersift.config import Config, FollowConfig, NetworkConfig, ProfileConfig
from tests.fetch.faultserver import FaultServer

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")

# What the good sources of :func:`update_config` hold: the OpenAlex author's works and the feed's records.
GOOD_PROFILE_PAPERS = 2
GOOD_CANDIDATES = 2


def drop_proxies(environ: MutableMapping[str, str]) -> None:
    """Forget the machine's proxy settings: the loopback servers are reached directly."""
    for name in PROXY_VARIABLES:
        environ.pop(name, None)


@contextmanager
def fault_servers(bomb_bytes: int) -> Iterator[tuple[FaultServer, FaultServer, FaultServer]]:
    """The fault server (its gzip bomb inflating to ``bomb_bytes``), another origin it redirects to,
    and a TLS one with a self-signed certificate."""
    with FaultServer(bomb_bytes=bomb_bytes) as plain, FaultServer() as other, FaultServer(tls=True) as tls:
        plain.other = other
        yield plain, other, tls


def update_config(plain: FaultServer, dblp_fault: str = "deep-json") -> Config:
    """Seven sources on ``plain``: four profile sources and three followed ones, five of them meeting a
    fault (a redirect loop, a gzip bomb, ``dblp_fault``, a 5,000-digit number, corrupt gzip); the
    OpenAlex author and the followed file (lone surrogates, kept and replaced) are good."""
    return Config(
        contact="me@example.org",
        profiles=(
            ProfileConfig(
                "me",
                {
                    "orcid": ("0000-0002-1825-0097",),
                    "s2_author": ("12345",),
                    "dblp": ("73/6258",),
                    "openalex": ("A5023888391",),
                },
            ),
        ),
        follow=(
            FollowConfig("arxiv", {"categories": ["cs.LG"]}),
            FollowConfig("huggingface"),
            FollowConfig("file", {"url": plain.url("surrogate") + "/feed.json"}),
        ),
        network=NetworkConfig(
            endpoints={
                "pub.orcid.org": plain.url("redirect-loop"),
                "api.semanticscholar.org": plain.url("gzip-bomb"),
                "dblp.org": plain.url(dblp_fault),
                "api.openalex.org": plain.url("ok"),
                "rss.arxiv.org": plain.url("big-number"),
                "huggingface.co": plain.url("bad-gzip"),
            }
        ),
    )
