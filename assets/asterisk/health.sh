#!/bin/sh
# Container healthcheck: healthy while waiting for the first configuration
# (nothing is wrong yet), then healthy only while Asterisk answers its CLI.
[ -e /var/lib/inova/config-ready ] || exit 0
exec asterisk -rx 'core waitfullybooted' >/dev/null 2>&1
