#!/bin/bash
# The Java peer on virtual threads: java.sh with JAVA_THREADS=virtual.
JAVA_THREADS=virtual exec "$(dirname "$0")/java.sh" "$@"
