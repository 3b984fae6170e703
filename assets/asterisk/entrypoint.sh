#!/bin/sh
# Starts Asterisk in the foreground once its configuration has been delivered.
# The provisioner creates the container first and writes /etc/asterisk into it
# afterwards, so the first start waits for asterisk.conf to appear.
set -eu

install -d -o asterisk -g asterisk -m 0755 /run/asterisk
chown asterisk:asterisk /var/spool/asterisk /var/spool/asterisk/voicemail /var/log/asterisk 2>/dev/null || true

waited=0
while [ ! -s /etc/asterisk/asterisk.conf ]; do
  if [ "$waited" -eq 0 ]; then echo "inova-entrypoint: waiting for /etc/asterisk/asterisk.conf"; fi
  waited=$((waited + 1))
  sleep 1
done

if [ -d /var/lib/inova/prompt-sources ] && [ -n "$(ls -A /var/lib/inova/prompt-sources 2>/dev/null)" ]; then
  /usr/local/bin/inova-build-prompts
fi

exec asterisk -f -U asterisk -G asterisk
