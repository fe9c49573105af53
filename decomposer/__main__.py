"""`python -m decomposer` runs the command line."""

from decomposer.cli import main

main()
