#!/bin/bash
# Apache httpd with the worker MPM: apache.sh --mpm worker.
exec "$(dirname "$0")/apache.sh" --mpm worker "$@"
