#!/bin/bash
# Apache httpd with the prefork MPM: apache.sh --mpm prefork.
exec "$(dirname "$0")/apache.sh" --mpm prefork "$@"
