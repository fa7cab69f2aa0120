#!/bin/bash
# The Java peer on platform threads: java.sh with JAVA_THREADS=platform.
JAVA_THREADS=platform exec "$(dirname "$0")/java.sh" "$@"
