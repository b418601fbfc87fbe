"""Why a candidate was picked: its closest profile papers and the terms it shares with them.

Pure Python on purpose: explanations run on every digest, and importing
scikit-learn alone costs more than a warm digest may take.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

# English function words (the usual list) and words every abstract uses;
# sharing them says nothing about a topic.
STOP_WORDS = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also although always am
    among amongst an and another any anyhow anyone anything anyway anywhere are around as at back be became
    because become becomes becoming been before beforehand behind being below beside besides between beyond both
    but by can cannot could did do does doing done down due during each eg either else elsewhere enough etc even
    ever every everyone everything everywhere except few first for former formerly from further get give go had
    has have having he hence her here hereafter hereby herein hereupon hers herself him himself his how however
    i ie if in indeed into is it its itself just last latter latterly least less like made many may me meanwhile
    might more most mostly much must my myself namely neither never nevertheless next no nobody none noone nor not
    nothing now nowhere of off often on once one only onto or other others otherwise our ours ourselves out over
    own per perhaps please put rather re same see seem seemed seeming seems she should since so some somehow
    someone something sometime sometimes somewhere still such than that the their theirs them themselves then
    thence there thereafter thereby therefore therein thereupon these they this those though through throughout
    thru thus to together too toward towards under until up upon us very via was we well were what whatever when
    whence whenever where whereafter whereas whereby wherein whereupon wherever whether which while whither who
    whoever whole whom whose why will with within without would yet you your yours yourself yourselves
    abstract achieve achieves address addresses algorithm algorithms allow allows analysis apply applied approach
    approaches based benchmark benchmarks better bound called case cases code comes common compared comprehensive
    consistently demonstrate demonstrates derive different effective effectively efficient empirical empirically
    enable enables especially evaluate existing experiments extensive field finally framework furthermore given
    help high illustrate important improve improved improvement improvements improves including introduce
    key known large leads learning lower making method methods model models moreover new novel obtain offer offers
    paper particular perform performance perspective potential present previous prior problem problems promising
    propose proposed provide provides recent recently remains research result results settings several show shows
    significant significantly simple specifically state study studies suggest support task tasks technique
    techniques theoretical theory total typically use used uses using various way work works yields
    """.split()
)
_TOKEN = re.compile(r"[a-z][a-z0-9\-]{2,}")


def terms(text: str) -> list[str]:
    """Unigrams and bigrams of content words (a bigram never spans a stop word)."""
    found: list[str] = []
    previous: str | None = None
    for token in _TOKEN.findall(text.lower()):
        token = token.strip("-")
        if len(token) < 3 or token in STOP_WORDS:
            previous = None
            continue
        found.append(token)
        if previous:
            found.append(f"{previous} {token}")
        previous = token
    return found


class TermExplainer:
    """Shared key terms between texts, weighted by TF-IDF over the texts at hand.

    A term counts when both texts contain it; terms are ordered by the product
    of their weights in the two texts, so rare words both texts stress come first.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        counts = [Counter(terms(t)) for t in texts]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        n = len(texts)
        idf = {term: math.log((1 + n) / (1 + d)) + 1.0 for term, d in df.items()}
        self._weights: list[dict[str, float]] = []
        for c in counts:
            raw = {term: (1.0 + math.log(tf)) * idf[term] for term, tf in c.items()}
            norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
            self._weights.append({term: v / norm for term, v in raw.items()})

    def shared_terms(self, i: int, j: int, limit: int = 5) -> tuple[str, ...]:
        a, b = self._weights[i], self._weights[j]
        if len(a) > len(b):
            a, b = b, a
        common = sorted(((a[t] * b[t], t) for t in a if t in b), key=lambda pair: (-pair[0], pair[1]))
        chosen: list[str] = []
        for _, term in common:
            # A unigram already covered by a chosen bigram (or vice versa) adds nothing.
            if any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == limit:
                break
        return tuple(chosen)
