"""Digest rendering (terminal table, Markdown, HTML, JSON, JSONL)."""

from .render import FORMATS, build_table, pick_to_dict, render

__all__ = ["FORMATS", "build_table", "pick_to_dict", "render"]
