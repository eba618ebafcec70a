"""`python -m gradcli` runs the command line."""

from . import main

main()
