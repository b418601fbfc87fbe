"""Fetching papers from services: one polite HTTP client, one module per service, resumable runs.

Fetchers yield parsed pages (see :mod:`papersift.fetch.base`); :mod:`papersift.fetch.runner`
stores each page with its checkpoint as it arrives and reports per source.
"""

from .arxiv import ArxivAuthor, ArxivDaily
from .base import Fetcher, Page
from .client import POLICIES, HostPolicy, HttpClient, SourceDeferred, SourceUnavailable, user_agent
from .dblp import DblpPerson
from .files import FileSource
from .followed import FOLLOWED_SOURCES, follow_fetchers
from .huggingface import HuggingFaceDaily
from .openalex import OpenAlexWorks, author_works, works_since
from .openreview import OpenReviewVenue
from .orcid import OrcidWorks
from .runner import (
    FetchReport,
    fetch_source,
    import_profile_from,
    refresh_profile,
    remember_sources,
    update,
)
from .semantic_scholar import SemanticScholarAuthor
from .zotero import ZoteroLibrary

__all__ = [
    "FOLLOWED_SOURCES",
    "POLICIES",
    "ArxivAuthor",
    "ArxivDaily",
    "DblpPerson",
    "FetchReport",
    "Fetcher",
    "FileSource",
    "HostPolicy",
    "HttpClient",
    "HuggingFaceDaily",
    "OpenAlexWorks",
    "OpenReviewVenue",
    "OrcidWorks",
    "Page",
    "SemanticScholarAuthor",
    "SourceDeferred",
    "SourceUnavailable",
    "ZoteroLibrary",
    "author_works",
    "fetch_source",
    "follow_fetchers",
    "import_profile_from",
    "refresh_profile",
    "remember_sources",
    "update",
    "user_agent",
    "works_since",
]
