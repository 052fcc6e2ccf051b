"""``python -m aigc_helpers ...``: see :mod:`aigc_helpers.cli`."""

from aigc_helpers.cli import main

raise SystemExit(main())
