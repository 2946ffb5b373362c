"""The package version, the single source read by ``pyproject.toml`` (no importlib.metadata at import)."""

__version__ = "0.2.0"
