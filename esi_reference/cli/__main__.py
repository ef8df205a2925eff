"""`python -m esi_reference.cli`: the same as the esi-ref command."""

from esi_reference.cli import main

raise SystemExit(main())
