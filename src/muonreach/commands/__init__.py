"""Sub-commands, one module each; every module defines ``command`` (a click command) and imports only
:mod:`muonreach.commands.common` at module level. :mod:`muonreach.cli` registers them explicitly."""
