#!/bin/sh
# Loads a backup written by inova-mariadb-backup into inova_cdr.cdr:
#   inova-mariadb-restore /var/backups/inova-cdr/cdr-20260115T030000Z.sql.gz
# Rows already in the table are kept (INSERT IGNORE), so a restore never removes newer
# records. The schema must exist: deploy the stack first, which applies the migrations.
# The restored rows are not written to the binary log, so HQ does not receive them twice.
set -eu

log() {
  echo "inova-mariadb-restore: $*" >&2
}

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  log "usage: inova-mariadb-restore BACKUP_FILE (a cdr-*.sql.gz written by inova-mariadb-backup)"
  exit 64
fi
tables=$(mariadb --batch --skip-column-names --execute \
  "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'inova_cdr' AND TABLE_NAME = 'cdr'")
if [ "$tables" != 1 ]; then
  log "table inova_cdr.cdr does not exist; deploy the stack first so its migrations create it"
  exit 65
fi
before=$(mariadb --batch --skip-column-names --execute "SELECT COUNT(*) FROM inova_cdr.cdr")
gunzip -c "$1" | mariadb --init-command="SET SESSION sql_log_bin = 0" inova_cdr
after=$(mariadb --batch --skip-column-names --execute "SELECT COUNT(*) FROM inova_cdr.cdr")
log "restored $1: $((after - before)) rows added, $after rows in inova_cdr.cdr"
