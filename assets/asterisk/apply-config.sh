#!/bin/sh
# Applies configuration files that were just written into /etc/asterisk.
# Prompts are rebuilt first, then Asterisk reloads its modules. When Asterisk
# is not running yet, the entrypoint picks the files up when it starts.
set -eu

/usr/local/bin/inova-build-prompts

if [ -S /run/asterisk/asterisk.ctl ] && asterisk -rx 'core waitfullybooted' >/dev/null 2>&1; then
  asterisk -rx 'core reload'
  asterisk -rx 'dialplan reload' >/dev/null
  echo "inova-apply-config: reloaded"
else
  echo "inova-apply-config: asterisk not running yet, the entrypoint loads the files"
fi
