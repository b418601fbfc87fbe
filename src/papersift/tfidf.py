"""The one TF-IDF: tokens, document frequencies and weights, in pure Python and numpy.

Explanations (the terms a pick shares with your paper), interest labels and the
``tfidf`` encoder all weigh terms here, with one tokeniser: lower-cased words of
three or more characters, minus stop words, and the bigrams of neighbouring
content words (a bigram never spans a stop word). Weights are sublinear
(1 + log tf) times a smoothed IDF, log((1 + n) / (1 + df)) + 1, and L2-normalised.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

# English function words (the usual list) ...
FUNCTION_WORDS = frozenset(
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
    """.split()
)
# ... and words every abstract uses; sharing them says nothing about a topic.
FIELD_WORDS = frozenset(
    """
    additionally firstly secondly thirdly lastly notably overall
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
STOP_WORDS = FUNCTION_WORDS | FIELD_WORDS
_TOKEN = re.compile(r"[a-z][a-z0-9\-]{2,}")


def terms(text: str) -> list[str]:
    """Unigrams and bigrams of content words (a bigram never spans a stop word)."""
    return list(_terms(text))


# The background sample's texts are tokenised again for every profile of a daily run (interest labels,
# explanations): they are kept. 1,024 texts of a few hundred terms each: a few MB at most.
@functools.lru_cache(maxsize=1024)
def _terms(text: str) -> tuple[str, ...]:
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
    return tuple(found)


class Tfidf:
    """Document frequencies of a corpus, and the TF-IDF weights of any bag of terms against them.

    A term the corpus never saw gets the largest IDF, as if it were in no document.
    """

    def __init__(self, documents: Iterable[Iterable[str]] = ()) -> None:
        self.n = 0
        self.df: Counter[str] = Counter()
        for document in documents:
            self.add(document)

    def add(self, document: Iterable[str]) -> None:
        self.n += 1
        self.df.update(set(document))

    def idf(self, term: str) -> float:
        return math.log((1 + self.n) / (1 + self.df.get(term, 0))) + 1.0

    def weights(self, counts: Mapping[str, int]) -> dict[str, float]:
        """L2-normalised (1 + log tf) * idf of a bag of terms."""
        raw = {term: (1.0 + math.log(tf)) * self.idf(term) for term, tf in counts.items() if tf > 0}
        norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
        return {term: v / norm for term, v in raw.items()}

    def vector(self, text: str) -> dict[str, float]:
        return self.weights(Counter(terms(text)))


def tfidf_matrix(texts: Sequence[str], max_features: int | None = None) -> np.ndarray:
    """Rows of L2-normalised TF-IDF weights, the IDF fitted on ``texts`` themselves.

    The vocabulary is every term (or the ``max_features`` most frequent over the corpus, ties by
    name); a text with no content words is a zero row.
    """
    bags = [Counter(terms(t)) for t in texts]
    model = Tfidf(bags)
    totals: Counter[str] = Counter()
    for bag in bags:
        totals.update(bag)
    vocabulary = sorted(totals, key=lambda t: (-totals[t], t))
    if max_features is not None:
        vocabulary = vocabulary[:max_features]
    column = {t: j for j, t in enumerate(vocabulary)}
    matrix = np.zeros((len(texts), max(len(vocabulary), 1)), dtype=np.float32)
    for i, bag in enumerate(bags):
        weights = model.weights({t: c for t, c in bag.items() if t in column})
        for term, weight in weights.items():
            matrix[i, column[term]] = weight
    return matrix
