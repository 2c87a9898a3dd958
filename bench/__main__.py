"""`python -m bench sync|latency …` from the checkout's root: the benchmarks as a program of their own (what
`dxconnector bench …` runs)."""

import sys

from bench.cli import main

sys.exit(main())
