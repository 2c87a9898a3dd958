from dxconnector.cli import main

raise SystemExit(main())
