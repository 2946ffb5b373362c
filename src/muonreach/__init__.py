"""muonreach: light new particles coupled to muons.

(g-2) of the muon and electron, decays of the mediators, fixed-target yields and reach, relic targets.
Units: GeV, cm, s (see :mod:`muonreach.units`).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("muonreach")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from .errors import (  # noqa: E402
    ConvergenceError,
    DataRangeError,
    InvalidParameter,
    KinematicallyForbidden,
    MuonReachError,
    SpecError,
    UnknownName,
)

__all__ = [
    "__version__",
    "MuonReachError",
    "InvalidParameter",
    "KinematicallyForbidden",
    "UnknownName",
    "SpecError",
    "DataRangeError",
    "ConvergenceError",
]
