from dxsandbox.cli import main

raise SystemExit(main())
