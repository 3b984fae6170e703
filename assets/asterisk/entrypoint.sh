#!/bin/sh
# Starts Asterisk in the foreground once its configuration has been delivered.
# The provisioner creates the container first, writes /etc/asterisk into it and
# then runs inova-apply-config, which creates the marker this script waits for.
# The marker lives in the container's own filesystem, so a restarted container
# starts Asterisk at once with the configuration it already has.
set -eu

marker=/var/lib/inova/config-ready

install -d -o asterisk -g asterisk -m 0755 /run/asterisk
chown asterisk:asterisk /var/spool/asterisk /var/spool/asterisk/voicemail /var/log/asterisk 2>/dev/null || true
install -d -o asterisk -g asterisk -m 0750 /var/log/asterisk/cdr-journal

# Loads journaled call records that the database missed; it waits idle while call
# records are not configured. It becomes a child of Asterisk after the exec below.
setpriv --reuid=asterisk --regid=asterisk --init-groups /usr/local/bin/inova-records-reconcile &

if [ ! -e "$marker" ]; then
  echo "inova-entrypoint: waiting for the configuration to be delivered"
  while [ ! -e "$marker" ]; do
    sleep 0.5
  done
fi

exec asterisk -f -U asterisk -G asterisk
