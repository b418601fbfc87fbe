"""What the API's routers share: a paper reference made a store id the viewer may see."""

from __future__ import annotations

from fastapi import HTTPException

from ...feedback import paper_id_of
from ...store import Store
from ..deps import Viewer


def visible_paper_id(store: Store, profile: str, viewer: Viewer, ref: int | str) -> int:
    """The store id ``ref`` names, if that paper exists and (on a shared server) the profile may see it;
    404 otherwise."""
    paper_id = paper_id_of(store, ref)
    if not store.paper_exists(paper_id) or (
        viewer.multi_user and paper_id not in store.visible_paper_ids(profile, [paper_id])
    ):
        raise HTTPException(404, f"there is no paper with store id {paper_id}")
    return paper_id
