#!/bin/sh
# Applies configuration files that were just written into /etc/asterisk.
# Prompts are rebuilt first. A running Asterisk reloads; otherwise this marks
# the configuration ready, so the entrypoint starts Asterisk, and waits until
# it has fully booted.
set -eu

marker=/var/lib/inova/config-ready
boot_timeout=${INOVA_BOOT_TIMEOUT:-90}

/usr/local/bin/inova-build-prompts

if [ -e "$marker" ] && asterisk -rx 'core waitfullybooted' >/dev/null 2>&1; then
  asterisk -rx 'core reload' >/dev/null
  echo "inova-apply-config: reloaded"
  exit 0
fi

touch "$marker"
waited=0
until asterisk -rx 'core waitfullybooted' >/dev/null 2>&1; do
  waited=$((waited + 1))
  if [ "$waited" -ge $((boot_timeout * 2)) ]; then
    echo "inova-apply-config: Asterisk did not boot within ${boot_timeout} s; see docker logs" >&2
    exit 1
  fi
  sleep 0.5
done
echo "inova-apply-config: started"
