#!/bin/sh
# Exits 0 when root's query over the Unix socket succeeds and the server has
# networking on, so its TCP listener on the site address is open.
set -eu
answer=$(mariadb --protocol=socket --batch --skip-column-names \
  --execute 'SELECT @@skip_networking' 2>/dev/null) || exit 1
[ "$answer" = "0" ]
