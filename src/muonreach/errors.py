"""Exception hierarchy of muonreach.

Every error the package raises on purpose derives from :class:`MuonReachError`; the command line turns
each into a one-line message and exit code 2. No function returns a sentinel value or a silent NaN.
"""

from __future__ import annotations


class MuonReachError(Exception):
    """Base class of every error raised on purpose by muonreach."""


class InvalidParameter(MuonReachError, ValueError):
    """A parameter is unphysical or out of range (negative mass, coupling beyond 4 pi, NaN ...)."""


class KinematicallyForbidden(MuonReachError, ValueError):
    """A request that kinematics does not allow (e.g. a beam energy below what the mass needs)."""


class UnknownName(MuonReachError, KeyError):
    """An unknown model, data set, experiment, material or parameter name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class SpecError(MuonReachError, ValueError):
    """A malformed specification or data file."""


class DataRangeError(MuonReachError, ValueError):
    """A request outside the range of a data table."""


class ConvergenceError(MuonReachError, RuntimeError):
    """A numerical method did not converge to the requested accuracy."""
