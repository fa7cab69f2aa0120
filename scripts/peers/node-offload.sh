#!/bin/bash
# The Node.js peer with /cpu on a pool of 4 worker_threads: node.sh with NODE_OFFLOAD=1.
NODE_OFFLOAD=1 exec "$(dirname "$0")/node.sh" "$@"
