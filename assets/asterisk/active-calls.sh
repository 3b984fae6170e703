#!/bin/sh
# Prints the number of active calls, or fails when Asterisk does not answer.
set -eu
asterisk -rx 'core show channels count' | awk '/active call/ { print $1; found = 1 } END { if (!found) exit 1 }'
