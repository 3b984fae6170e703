#!/bin/sh
# Prints the number of active calls. Before the first configuration has been
# applied Asterisk has never started, so there can be no call: it prints 0.
# Fails when a started Asterisk does not respond.
set -eu
if [ ! -e /var/lib/inova/config-ready ]; then
  echo 0
  exit 0
fi
asterisk -rx 'core show channels count' | awk '/active call/ { print $1; found = 1 } END { if (!found) exit 1 }'
