"""muonreach: light new particles coupled to muons.

(g-2) of the muon and electron, decays of the mediators, fixed-target yields and reach, relic targets.
Units: GeV, cm, s (see :mod:`muonreach.units`).
"""

from ._version import __version__
from .errors import (
    ConvergenceError,
    DataRangeError,
    InvalidParameter,
    KinematicallyForbidden,
    MuonReachError,
    SpecError,
    UnknownName,
)

__all__ = [
    "ConvergenceError",
    "DataRangeError",
    "InvalidParameter",
    "KinematicallyForbidden",
    "MuonReachError",
    "SpecError",
    "UnknownName",
    "__version__",
]
