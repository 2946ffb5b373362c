"""Mediator models: one module per family; `registry` names them for the command line."""
