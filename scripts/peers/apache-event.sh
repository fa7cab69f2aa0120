#!/bin/bash
# Apache httpd with the event MPM: apache.sh --mpm event.
exec "$(dirname "$0")/apache.sh" --mpm event "$@"
