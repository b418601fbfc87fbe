"""Conflicts of interest from what an organiser has: archives, submissions, profiles, explicit lists.

Rules (each conflict says which made it, and several reasons join with ``; ``):

* **author**: the reviewer is an author of the submission (by OpenReview id, e-mail or name);
* **co-author within N years**: a submission author shares a paper with the reviewer in the
  reviewer's archive dated in the last N years (an undated paper counts: missing a conflict is worse
  than one pair too many);
* **same e-mail domain / institution** (``domains=True``): e-mail domains from the OpenReview
  ``authorids`` and from a profiles file, public mail providers removed and parent domains expanded
  (``cs.cmu.edu`` also means ``cmu.edu``, never ``edu`` or ``ac.uk``), as openreview-py's
  ``get_conflicts`` does; institutions as written in the profiles file;
* **explicit**: lines of a conflicts file, with their own reason;
* **co-author online** (opt-in, :mod:`papersift.assign.online`): shared works on OpenAlex or DBLP
  for the people whose ids are known, added to what this module found.

People are matched by OpenReview id (``~Jane_Doe1``) or e-mail where the data has them, else by
normalised name. Everything is indexed once (person -> reviewers), so each submission costs a few
dictionary look-ups per author: 360 papers x 300 reviewers take well under a second.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..sources import decode, read_bytes
from .csvio import iter_rows, original_id

PUBLIC_MAIL_DOMAINS = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr ymail.com hotmail.com hotmail.co.uk outlook.com
    live.com msn.com aol.com icloud.com me.com mac.com qq.com 163.com 126.com sina.com sohu.com foxmail.com
    yeah.net aliyun.com protonmail.com proton.me pm.me gmx.de gmx.net gmx.com web.de mail.ru yandex.ru yandex.com
    zoho.com naver.com hanmail.net daum.net fastmail.com tutanota.com rediffmail.com mail.com inbox.com
    email.com users.noreply.github.com""".split()
)
# Second-level registries: a parent domain that is one of these is shared by unrelated institutions.
PUBLIC_SUFFIXES = frozenset(
    """ac.uk co.uk org.uk gov.uk edu.cn com.cn ac.cn org.cn net.cn edu.au com.au org.au ac.jp co.jp or.jp
    ac.kr co.kr re.kr edu.sg com.sg ac.in edu.in co.in res.in ac.il co.il edu.hk com.hk edu.tw com.tw ac.nz
    co.nz edu.br com.br ac.za co.za edu.tr com.tr ac.at edu.pl com.pl edu.mx com.mx edu.ar com.ar ac.ir
    edu.eg edu.pk edu.vn edu.my com.my ac.id ac.th edu.co edu.es""".split()
)


def parent_domains(domain: str) -> set[str]:
    """``cs.cmu.edu`` -> {cs.cmu.edu, cmu.edu}: every parent with two labels or more, not a registry."""
    labels = domain.lower().strip(".").split(".")
    found = set()
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in PUBLIC_SUFFIXES:
            break
        found.add(candidate)
    return {d for d in found if d not in PUBLIC_MAIL_DOMAINS} if domain.lower() not in PUBLIC_MAIL_DOMAINS else set()


def domain_of(value: str) -> str | None:
    """The domain of an e-mail address or of a bare domain; None for anything else."""
    value = value.strip().lower()
    if "@" in value:
        value = value.rsplit("@", 1)[1]
    return value if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", value) else None


def name_key(name: str) -> str:
    """A name as compared: accents, case, dots and extra spaces removed."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "name:" + " ".join(re.sub(r"[.\-_,]", " ", plain).lower().split())


def tilde_name(openreview_id: str) -> str | None:
    """``~Jane_Doe1`` -> ``Jane Doe``."""
    if not openreview_id.startswith("~"):
        return None
    return re.sub(r"\d+$", "", openreview_id[1:]).replace("_", " ") or None


@dataclass
class Author:
    name: str
    ident: str | None  # an OpenReview id or an e-mail address

    def keys(self) -> set[str]:
        found = {name_key(self.name)} if self.name else set()
        if self.ident:
            found.add(self.ident.lower())
            derived = tilde_name(self.ident)
            if derived and not self.name:
                found.add(name_key(derived))
        return found


@dataclass
class Record:
    key: str
    authors: list[Author]
    year: int | None = None


def _unwrap(value: Any) -> Any:
    return value.get("value") if isinstance(value, dict) and "value" in value else value


def _record(obj: Any, fallback: str) -> Record:
    content = _unwrap(obj.get("content")) if isinstance(obj, dict) else None
    content = content if isinstance(content, dict) else (obj if isinstance(obj, dict) else {})
    names = _unwrap(content.get("authors")) or []
    idents = _unwrap(content.get("authorids")) or []
    names = [n.get("name", "") if isinstance(n, dict) else str(n) for n in names] if isinstance(names, list) else []
    idents = [str(i) for i in idents] if isinstance(idents, list) else []
    count = max(len(names), len(idents))
    authors = [
        Author(names[i] if i < len(names) else "", idents[i] if i < len(idents) and idents[i] else None)
        for i in range(count)
    ]
    year_text = str(_unwrap(content.get("year")) or _unwrap(content.get("date")) or "")[:4]
    key = str(obj.get("id") or fallback) if isinstance(obj, dict) else fallback
    return Record(key, authors, int(year_text) if year_text.isdigit() else None)


def _json_records(path: Path) -> Iterator[Record]:
    text = decode(read_bytes(path), str(path))
    if path.suffix == ".jsonl" or (text.lstrip()[:1] == "{" and "\n{" in text.strip()):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield _record(json.loads(line), str(number))
                except json.JSONDecodeError as exc:
                    raise InputError(f"is not valid JSON ({exc.msg})", path, line=number) from None
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"is not valid JSON ({exc.msg})", path, line=exc.lineno) from None
    if isinstance(data, dict):  # submissions.json: {id: paper}
        for key, obj in data.items():
            record = _record(obj, key)
            record.key = key
            yield record
    elif isinstance(data, list):
        for number, obj in enumerate(data, start=1):
            yield _record(obj, str(number))


@dataclass
class Conflicts:
    """(submission id, reviewer id) -> reasons."""

    pairs: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    # Papers read that list their authors: when none do, authorship rules had nothing to go on.
    archive_papers_with_authors: int = 0
    submissions_with_authors: int = 0
    # The people read, for the online co-authorship rule (papersift.assign.online): reviewer -> the
    # keys that are that reviewer, and each submission's authors.
    reviewers: dict[str, set[str]] = field(default_factory=dict)
    submissions: dict[str, list[Author]] = field(default_factory=dict)

    def add(self, sub: str, rev: str, reason: str) -> None:
        reasons = self.pairs[(sub, rev)]
        if reason not in reasons:
            reasons.append(reason)

    def rows(self) -> list[tuple[str, str, str]]:
        return [(s, r, "; ".join(reasons)) for (s, r), reasons in self.pairs.items()]

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for reasons in self.pairs.values():
            for reason in reasons:  # "co-author (OpenAlex, 2024): X" counts as "co-author (OpenAlex)"
                counts[re.sub(r", (\d{4}|undated)\)$", ")", reason.split(":")[0])] += 1
        return dict(counts)


def read_profiles(path: str | Path) -> dict[str, list[str]]:
    """``person_id,value[,value...]``: e-mail addresses, domains or institution names."""
    found: dict[str, list[str]] = defaultdict(list)
    for _, row in iter_rows(Path(path), (2, 64)):
        found[original_id(row[0]).lower()].extend(v.strip() for v in row[1:] if v.strip())
    return found


def _affiliations(values: Iterable[str]) -> tuple[set[str], set[str]]:
    domains: set[str] = set()
    institutions: set[str] = set()
    for value in values:
        domain = domain_of(value)
        if domain:
            domains |= parent_domains(domain)
        elif "@" not in value:
            institutions.add(" ".join(value.lower().split()))
    return domains, institutions


def find_conflicts(
    archives_dir: str | Path,
    submissions_file: str | Path,
    years: int = 3,
    domains: bool = False,
    profiles: Mapping[str, list[str]] | None = None,
    explicit: Mapping[tuple[str, str], str] | None = None,
    this_year: int | None = None,
) -> Conflicts:
    directory = Path(archives_dir)
    if not directory.is_dir():
        raise InputError("is not a directory of reviewer archives (*.jsonl)", directory)
    cutoff = (this_year or date.today().year) - years
    conflicts = Conflicts()
    profiles = profiles or {}
    own: dict[str, set[str]] = defaultdict(set)  # person key -> reviewers who are that person
    coauthors: dict[str, dict[str, str]] = defaultdict(dict)  # person key -> reviewer -> shown name
    reviewer_domains: dict[str, set[str]] = defaultdict(set)
    reviewer_institutions: dict[str, set[str]] = defaultdict(set)
    for file in sorted(directory.glob("*.jsonl")):
        reviewer = file.stem
        mine = {reviewer.lower()} | ({name_key(tilde_name(reviewer) or "")} if tilde_name(reviewer) else set())
        records = list(_json_records(file)) if file.stat().st_size else []
        for record in records:  # the reviewer's own e-mail, where the archive lists it beside their id
            for author in record.authors:
                if author.ident and author.ident.lower() == reviewer.lower() and author.name:
                    mine.add(name_key(author.name))
        affiliations = list(profiles.get(reviewer.lower(), []))
        for key in mine:
            own[key].add(reviewer)
        conflicts.reviewers[reviewer] = mine
        for record in records:
            conflicts.archive_papers_with_authors += bool(record.authors)
            recent = record.year is None or record.year >= cutoff
            for author in record.authors:
                keys = author.keys()
                if keys & mine:
                    if author.ident and "@" in author.ident:
                        affiliations.append(author.ident)
                    continue
                if recent:
                    for key in keys:
                        coauthors[key].setdefault(reviewer, author.name or author.ident or key)
        if domains:
            reviewer_domains[reviewer], reviewer_institutions[reviewer] = _affiliations(affiliations)
    by_domain: dict[str, set[str]] = defaultdict(set)
    by_institution: dict[str, set[str]] = defaultdict(set)
    for reviewer, found in reviewer_domains.items():
        for domain in found:
            by_domain[domain].add(reviewer)
    for reviewer, found in reviewer_institutions.items():
        for institution in found:
            by_institution[institution].add(reviewer)

    for record in _json_records(Path(submissions_file)):
        sub = record.key
        conflicts.submissions_with_authors += bool(record.authors)
        conflicts.submissions[sub] = record.authors
        author_values: list[str] = []
        for author in record.authors:
            keys = author.keys()
            for key in keys:
                for reviewer in own.get(key, ()):
                    conflicts.add(sub, reviewer, "author")
                for reviewer, shown in coauthors.get(key, {}).items():
                    conflicts.add(sub, reviewer, f"co-author within {years} years: {shown}")
            if domains:
                if author.ident and "@" in author.ident:
                    author_values.append(author.ident)
                for key in keys:
                    author_values.extend(profiles.get(key, []))
        if domains:
            sub_domains, sub_institutions = _affiliations(author_values)
            named: set[str] = set()
            for domain in sorted(sub_domains, key=lambda d: (-d.count("."), d)):  # the most specific first
                for reviewer in by_domain.get(domain, ()):
                    if reviewer not in named:
                        named.add(reviewer)
                        conflicts.add(sub, reviewer, f"same e-mail domain: {domain}")
            for institution in sub_institutions:
                for reviewer in by_institution.get(institution, ()):
                    conflicts.add(sub, reviewer, f"same institution: {institution}")
    for (sub, rev), reason in (explicit or {}).items():
        conflicts.add(sub, rev, reason if reason.startswith("explicit") else f"explicit: {reason}")
    return conflicts
