"""``python -m autograder`` is the ``autograder`` command."""

from autograder.launch import main

raise SystemExit(main())
