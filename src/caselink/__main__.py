"""`python -m caselink ...` is the same as the `caselink` command."""

from caselink.cli import main

main()
