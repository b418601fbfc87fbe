"""The JSON API's request bodies. Every text field refuses a lone surrogate (``"\\ud800"``, which JSON can
spell but UTF-8, the store and the answer cannot carry) with a 422, like any other wrong value."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from ..settings import MAX_ID

RatingValue = Literal["up", "down", "save", "dismiss"]


def _encodable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text holds a lone surrogate, which is no character (send valid UTF-8)") from None
    return value


Encodable = AfterValidator(_encodable)
InterestName = Annotated[str, StringConstraints(min_length=1, max_length=200), Encodable]
InterestRef = Annotated[str, Encodable]
AuthorId = Annotated[str, StringConstraints(min_length=1, max_length=300), Encodable]
# A paper named by its store id, or by an arXiv id, DOI or exact title.
StoreIdOrName = (
    Annotated[int, Field(ge=0, le=MAX_ID)] | Annotated[str, StringConstraints(min_length=1, max_length=2000), Encodable]
)


class RatingIn(BaseModel):
    paper: StoreIdOrName = Field(description="The paper's store id (or an arXiv id, DOI or exact title).")
    rating: RatingValue


class RatingOut(BaseModel):
    paper: int
    title: str
    rating: str | None
    previous: str | None = None


class RenameIn(BaseModel):
    name: InterestName


class MergeIn(BaseModel):
    interests: list[InterestRef] = Field(min_length=2)


class SplitIn(BaseModel):
    parts: int = Field(default=2, ge=2, le=8)


class MuteIn(BaseModel):
    muted: bool = True


class BudgetIn(BaseModel):
    """At most ``budget`` picks a digest for the interest; null clears it, 0 sends none (as a mute)."""

    budget: int | None = Field(default=None, ge=0, le=1000)


class AuthorImportIn(BaseModel):
    kind: Literal["openalex", "orcid", "s2-author", "dblp", "arxiv-author"]
    value: AuthorId
