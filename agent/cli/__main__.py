import sys

from frontdesk.agent.cli import main

sys.exit(main())
