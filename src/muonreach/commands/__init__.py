"""Sub-commands that live in their own modules: each module defines ``command`` (a click command).

``muonreach.cli`` adds every module of this package to the ``muonreach`` group, so a new job is a new file.
"""

from __future__ import annotations

import importlib
import pkgutil

import click


def commands() -> list[click.Command]:
    """The ``command`` of every module in this package, in name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(module.command)
    return found
