"""`python -m gradcli` runs the command line."""

from . import command_line

command_line()
