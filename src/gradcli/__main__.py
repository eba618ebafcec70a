"""`python -m gradcli` runs the command line."""

from .cli import main

main()
