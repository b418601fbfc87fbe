"""Digest rendering (terminal table, Markdown, HTML, JSON, JSONL)."""

from .render import FORMATS, build_table, render

__all__ = ["FORMATS", "build_table", "render"]
