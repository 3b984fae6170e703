#!/bin/sh
# Writes one backup of the call records: every row of inova_cdr.cdr as INSERT IGNORE
# statements, gzip-compressed, in one consistent snapshot (--single-transaction), to
# $INOVA_MARIADB_BACKUP_DIR (default /var/backups/inova-cdr) as cdr-<UTC time>.sql.gz.
# Keeps the newest $INOVA_MARIADB_BACKUP_KEEP backups (default 7) and removes older ones.
# Runs as root over the Unix socket, so it needs no account or password.
#
# The backup contains rows only, no CREATE or DROP statement: inova-mariadb-restore merges it
# into the existing table, and rows stored since the backup stay.
set -eu

dir=${INOVA_MARIADB_BACKUP_DIR:-/var/backups/inova-cdr}
keep=${INOVA_MARIADB_BACKUP_KEEP:-7}

log() {
  echo "inova-mariadb-backup: $*" >&2
}

case "$keep" in '' | *[!0-9]* | 0)
  log "invalid INOVA_MARIADB_BACKUP_KEEP \"$keep\"; expected a whole number of backups, at least 1"
  exit 64
  ;;
esac

mkdir -p "$dir"
name="cdr-$(date -u +%Y%m%dT%H%M%SZ).sql.gz"
partial="$dir/.$name.partial"
if ! mariadb-dump --single-transaction --quick --skip-lock-tables --no-create-info --no-create-db \
  --skip-add-drop-table --skip-triggers --insert-ignore --hex-blob --tz-utc inova_cdr cdr | gzip >"$partial"; then
  rm -f "$partial"
  log "backup failed; the previous backups are kept"
  exit 1
fi
mv "$partial" "$dir/$name"
log "wrote $dir/$name ($(stat -c %s "$dir/$name") bytes)"

# Names sort by time, so everything before the newest $keep goes.
ls -1 "$dir" | grep -E '^cdr-[0-9]{8}T[0-9]{6}Z\.sql\.gz$' | sort | head -n "-$keep" | while read -r old; do
  rm -f "$dir/$old"
  log "removed the old backup $old"
done
