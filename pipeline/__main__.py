import sys

from pipeline.cli import main

sys.exit(main(sys.argv[1:], dict(__import__("os").environ)))
