"""Figures for the book: house style, the :func:`explore` helper and per-chapter plots.

``style`` installs the colour-blind-safe Okabe--Ito palette and legible defaults;
:func:`explore` shows a figure together with a serverless frame player (and, with a live kernel, an
ipywidgets slider) over one parameter. The chapter modules (``model``, ``market``, ``allocation``,
``propositions``) hold the drawing functions used by the notebooks; their public names are
re-exported here.
"""
from importlib import import_module as _import_module
from importlib.util import find_spec as _find_spec

from . import style
from .explore import Exploration, explore, frame_player_html, render_png

__all__ = ["style", "explore", "Exploration", "frame_player_html", "render_png"]

# Chapter plotting modules are written by the chapter authors; re-export their public names when
# present (a missing module is skipped, but an error inside an existing one is raised).
for _name in ("model", "market", "allocation", "propositions"):
    if _find_spec(f"{__name__}.{_name}") is not None:
        _mod = _import_module(f".{_name}", __name__)
        for _attr in getattr(_mod, "__all__", []):
            globals()[_attr] = getattr(_mod, _attr)
            if _attr not in __all__:
                __all__.append(_attr)
        globals()[_name] = _mod
del _name
