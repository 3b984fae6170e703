#!/bin/sh
# Starts MariaDB in the foreground for one site.
#
# 1. Writes the site configuration from INOVA_MARIADB_CONFIG, when set, to
#    /etc/mysql/inova.d/server.cnf; otherwise that file must be mounted.
# 2. Initialises /var/lib/mysql when it is empty (a new volume). Only
#    root@localhost exists afterwards, and it authenticates by unix_socket
#    alone, so it is reachable only from inside the container.
# 3. Starts the scheduled backups of INOVA_MARIADB_BACKUP_INTERVAL_SECONDS,
#    described below.
# 4. Runs mariadbd as PID 1, so `docker stop` shuts it down cleanly.
set -eu

config_file=/etc/mysql/inova.d/server.cnf
datadir=/var/lib/mysql
staging=$datadir/.initialising

log() {
  echo "inova-mariadb-entrypoint: $*" >&2
}

if [ -n "${INOVA_MARIADB_CONFIG:-}" ]; then
  printf '%s\n' "$INOVA_MARIADB_CONFIG" > "$config_file"
  chmod 0644 "$config_file"
fi
if [ ! -s "$config_file" ]; then
  log "missing site configuration: set INOVA_MARIADB_CONFIG or mount $config_file"
  exit 64
fi

install -d -o mysql -g mysql -m 0755 /run/mariadbd
chown mysql:mysql "$datadir"
chmod 0750 "$datadir"

# Lists what the data directory contains besides lost+found and a staging
# directory left by an interrupted initialisation.
existing_entries() {
  find "$datadir" -mindepth 1 -maxdepth 1 ! -name lost+found ! -name .initialising -print
}

if [ ! -d "$datadir/mysql" ]; then
  if [ -n "$(existing_entries)" ]; then
    log "$datadir is not empty and has no mysql/ system schema, so it is not initialised; mount an empty volume or one with MariaDB data"
    existing_entries | head -n 20 >&2
    exit 65
  fi
  log "initialising an empty data directory in $datadir"
  rm -rf "$staging"
  install -d -o mysql -g mysql -m 0750 "$staging"
  # --auth-root-socket-user=root creates root@localhost as the only
  # administrator, with unix_socket authentication and no usable password.
  # The extra file removes the PROXY entry for root at the container's host
  # name, which no client can match with skip_name_resolve.
  mariadb-install-db \
    --user=mysql \
    --datadir="$staging" \
    --auth-root-authentication-method=socket \
    --auth-root-socket-user=root \
    --skip-test-db \
    --skip-name-resolve \
    --extra-file=/usr/local/share/inova-mariadb/initialise.sql >/dev/null
  # The system schema moves last: its presence marks a complete initialisation.
  for entry in "$staging"/* "$staging"/.[!.]*; do
    [ -e "$entry" ] || continue
    [ "$(basename "$entry")" = mysql ] && continue
    mv "$entry" "$datadir/"
  done
  mv "$staging/mysql" "$datadir/mysql"
  rmdir "$staging"
  log "data directory initialised"
fi

# Scheduled backups, when INOVA_MARIADB_BACKUP_INTERVAL_SECONDS is above 0: a check
# every minute (or every interval, when shorter) runs inova-mariadb-backup once the
# newest backup is older than the interval, so restarts neither skip nor repeat one.
backup_interval=${INOVA_MARIADB_BACKUP_INTERVAL_SECONDS:-0}
case "$backup_interval" in
  '' | *[!0-9]*)
    log "ignoring invalid INOVA_MARIADB_BACKUP_INTERVAL_SECONDS \"$backup_interval\"; expected whole seconds"
    backup_interval=0
    ;;
esac
if [ "$backup_interval" -gt 0 ]; then
  backup_dir=${INOVA_MARIADB_BACKUP_DIR:-/var/backups/inova-cdr}
  check_seconds=$((backup_interval < 60 ? backup_interval : 60))
  (
    while :; do
      sleep "$check_seconds"
      since=$(($(date +%s) - backup_interval))
      recent=$(find "$backup_dir" -maxdepth 1 -name 'cdr-*.sql.gz' -newermt "@$since" 2>/dev/null | head -n 1)
      if [ -z "$recent" ]; then
        /usr/local/bin/inova-mariadb-backup || log "scheduled backup failed; trying again in $check_seconds s"
      fi
    done
  ) &
  log "backing up inova_cdr.cdr every $backup_interval s to $backup_dir"
fi

log "starting mariadbd"
exec mariadbd "$@"
