import sys

from web.main import main

if len(sys.argv) > 1 and sys.argv[1] not in ("serve",):
    sys.exit(f"web has no command {sys.argv[1]!r}; it only serves")
main()
