"""The ``muonreach`` command line (contract in DESIGN.md): one sub-command per job, ``--json`` on each.

Every sub-command lives in its own module of :mod:`muonreach.commands` and is registered here explicitly.
Errors in the input (unknown names, unphysical numbers, malformed files) end with a one-line message on
stderr and exit code 2; no traceback is shown. Warnings are one line each, printed when the command succeeds.
"""

from __future__ import annotations

import sys
import warnings

import click

from ._version import __version__
from .commands import common
from .commands import decay_spectrum as decay_spectrum_cmd
from .commands import events as events_cmd
from .commands import figure as figure_cmd
from .commands import generate as generate_cmd
from .commands import gm2 as gm2_cmd
from .commands import gm2_assemble as gm2_assemble_cmd
from .commands import gm2_fit as gm2_fit_cmd
from .commands import heavy as heavy_cmd
from .commands import hvp as hvp_cmd
from .commands import limits as limits_cmd
from .commands import listing as list_cmd
from .commands import neff as neff_cmd
from .commands import reach as reach_cmd
from .commands import relic as relic_cmd
from .commands import scan as scan_cmd
from .commands import serve as serve_cmd
from .commands import summary as summary_cmd
from .commands import trident as trident_cmd
from .commands import widths as widths_cmd
from .commands import xsec as xsec_cmd
from .errors import MuonReachError

#: The sub-command modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    gm2_cmd, gm2_fit_cmd, gm2_assemble_cmd, hvp_cmd, widths_cmd, events_cmd, generate_cmd, reach_cmd,
    decay_spectrum_cmd, relic_cmd, figure_cmd, scan_cmd, list_cmd, limits_cmd, summary_cmd, heavy_cmd, xsec_cmd,
    trident_cmd, neff_cmd, serve_cmd,
)


def _fail(message: str) -> None:
    common.flush_warnings(print_them=False)
    click.echo(f"muonreach: error: {' '.join(message.split())}", err=True)
    sys.exit(common.EXIT_USAGE)


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    common.warn(str(message))


class _Group(click.Group):
    """A click group whose errors are one line on stderr with exit code 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        previous = warnings.showwarning
        warnings.showwarning = _one_line_warning
        try:
            result = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except MuonReachError as exc:
            _fail(str(exc))
        except click.exceptions.Exit as exc:
            common.flush_warnings(print_them=exc.exit_code == 0)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            _fail("aborted")
        except click.ClickException as exc:
            _fail(exc.format_message())
        except KeyboardInterrupt:
            _fail("interrupted")
        except SystemExit as exc:
            common.flush_warnings(print_them=exc.code in (0, None))
            raise
        finally:
            warnings.showwarning = previous
        common.flush_warnings(print_them=True)
        return result


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="muonreach")
def main() -> None:
    """muonreach: light new particles coupled to muons ((g-2), decays, reach). Masses in GeV, lengths in cm."""


for _module in COMMAND_MODULES:
    main.add_command(_module.command)
