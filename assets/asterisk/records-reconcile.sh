#!/bin/sh
# Loads call records from the journal into the site's database when the database lacks them.
#
# cdr_custom appends every record to the journal (one CSV line, every field in double quotes
# with inner quotes doubled), while cdr_adaptive_odbc writes it to the database directly and
# loses it when the database is down. Each pass reads the journal lines added since the last
# successful pass and inserts them with INSERT IGNORE, in one transaction, as pbx_writer over
# the database's Unix socket. The primary key (site, uniqueid, sequence) drops the records that
# the direct path already stored, so nothing is stored twice. The byte offset reached is kept
# beside the journal and moves only after a commit, so a failed pass is repeated in full.
#
# Rotation: once the journal reaches ROTATE_BYTES, a pass renames it to <journal>.part-<UTC time>
# and moves its offset file along; cdr_custom opens the journal for every record, so the next
# record starts a new journal. Each pass reads the parts before the journal, the same way. A
# part is deleted once every line of it was loaded or rejected and it has not changed for
# PART_SETTLE_SECONDS (a record that cdr_custom was writing during the rename lands in the part).
# Parts with lines the database lacks stay until the database is back.
#
# Settings: /etc/asterisk/inova-records.env (SITE, JOURNAL, TABLE, COLUMNS, INTERVAL_SECONDS,
# and optionally ROTATE_BYTES, default 1048576) and the client options in
# /etc/asterisk/inova-records-client.cnf. Until both exist (a PBX without call records) the loop
# only waits. With --once it runs one pass and prints "read=N inserted=N rejected=N".
#
# Lines that are not complete records (a value with a line break splits its record) are
# appended to <journal>.rejected and logged; they are never retried.
set -u
export LC_ALL=C

settings_file=/etc/asterisk/inova-records.env
client_file=/etc/asterisk/inova-records-client.cnf
batch_rows=500
default_rotate_bytes=1048576
# Far longer than cdr_custom takes to write one record.
part_settle_seconds=5

log() {
  echo "inova-records-reconcile: $*" >&2
}

# Reads one KEY=value line of the settings file; values are single words.
setting() {
  sed -n "s/^$1=//p" "$settings_file" | tail -n 1
}

# Builds the SQL of one pass from the valid lines in $1. The session is in UTC and treats no
# backslash as an escape, and IGNORE turns over-long values into warnings. Batches of INSERT
# IGNORE follow, each with its count of inserted rows.
build_sql() {
  echo "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,NO_ENGINE_SUBSTITUTION';"
  echo "SET SESSION time_zone = '+00:00';"
  echo "START TRANSACTION;"
  # The second field is the start as Unix time; site and start never contain a quote.
  sed -E 's/^("[^"]*"),("[^"]*"),/\1,FROM_UNIXTIME(\2),/' "$1" |
    awk -v head="INSERT IGNORE INTO $table ($columns) VALUES" -v size="$batch_rows" '
      {
        if (n == 0) { print head } else { print "," }
        printf "(%s)", $0
        n++
        if (n == size) { print ";"; print "SELECT ROW_COUNT();"; n = 0 }
      }
      END { if (n > 0) { print ";"; print "SELECT ROW_COUNT();" } }'
  echo "COMMIT;"
}

# Runs SQL from stdin as pbx_writer; prints the ROW_COUNT() results on success.
run_sql() {
  mariadb --defaults-extra-file="$client_file" --batch --skip-column-names
}

failures=0
last_error=""

# Loads every valid line of $1 on its own, after a batch failed for a reason other than the
# connection. Lines that the server still rejects go to the rejected file.
load_one_by_one() {
  inserted=0
  while IFS= read -r line; do
    printf '%s\n' "$line" >"$work/one"
    if count=$(build_sql "$work/one" | run_sql 2>"$work/one-error"); then
      inserted=$((inserted + $(echo "$count" | awk '{ s += $1 } END { print s + 0 }')))
    else
      printf '%s\n' "$line" >>"$rejected_file"
      rejected=$((rejected + 1))
      log "rejected a journal line: $(tail -n 1 "$work/one-error")"
    fi
  done <"$1"
}

# Loads the lines of file $1 (the journal or a part) added since its offset file's offset;
# adds to read_lines, total_inserted and rejected. A last line without a line break waits for
# cdr_custom to finish it, unless $2 is "settled" (a part that no longer changes), where it is
# rejected like any other incomplete record. Returns non-zero when the database could not be
# reached, and then leaves the offset where it was.
reconcile_file() {
  file=$1
  settled=${2:-}
  state_file="$file.reconciled-bytes"

  [ -f "$file" ] || return 0
  size=$(stat -c %s "$file")
  offset=$(cat "$state_file" 2>/dev/null || echo 0)
  case "$offset" in '' | *[!0-9]*) offset=0 ;; esac
  if [ "$size" -lt "$offset" ]; then
    log "$file is shorter than the reconciled offset $offset; reading it again from the start"
    offset=0
  fi
  [ "$size" -gt "$offset" ] || return 0

  work=$(mktemp -d)
  tail -c +"$((offset + 1))" "$file" | head -c "$((size - offset))" >"$work/new"
  # A record that cdr_custom is still writing has no line break yet: leave it for the next pass.
  if [ "$settled" != settled ] && [ "$(tail -c 1 "$work/new" | od -An -tx1 | tr -d ' \n')" != "0a" ]; then
    partial=$(tail -n 1 "$work/new" | wc -c)
    head -c "$(($(wc -c <"$work/new") - partial))" "$work/new" >"$work/lines"
  else
    mv "$work/new" "$work/lines"
  fi
  consumed=$(wc -c <"$work/lines")
  if [ "$consumed" -eq 0 ]; then
    rm -rf "$work"
    return 0
  fi

  field='"([^"]|"")*"'
  count_columns=$(echo "$columns" | awk -F, '{ print NF }')
  record="^$field(,$field){$((count_columns - 1))}\$"
  grep -E "$record" "$work/lines" >"$work/valid" || true
  grep -E -v "$record" "$work/lines" | grep -v '^$' >"$work/invalid" || true
  valid_lines=$(wc -l <"$work/valid")
  read_lines=$((read_lines + valid_lines))

  status=0
  file_inserted=0
  if [ "$valid_lines" -gt 0 ]; then
    if counts=$(build_sql "$work/valid" | run_sql 2>"$work/error"); then
      file_inserted=$(echo "$counts" | awk '{ s += $1 } END { print s + 0 }')
    elif grep -q -E 'ERROR (1045|20[0-9][0-9])' "$work/error"; then
      # Access denied or a client error (no server, connection lost): try again later.
      status=1
    else
      log "a batch of $valid_lines records failed ($(tail -n 1 "$work/error")); loading them one by one"
      load_one_by_one "$work/valid"
      file_inserted=$inserted
    fi
  fi

  if [ "$status" -eq 0 ]; then
    if [ -s "$work/invalid" ]; then
      cat "$work/invalid" >>"$rejected_file"
      bad=$(wc -l <"$work/invalid")
      rejected=$((rejected + bad))
      log "appended $bad journal lines that are not complete records to $rejected_file"
    fi
    echo "$((offset + consumed))" >"$state_file.tmp" && mv "$state_file.tmp" "$state_file"
    total_inserted=$((total_inserted + file_inserted))
    if [ "$file_inserted" -gt 0 ]; then
      log "inserted $file_inserted of $valid_lines journaled records that the database lacked"
    fi
  else
    error=$(tail -n 1 "$work/error")
    failures=$((failures + 1))
    # The first failure, a new error and every 40th repeat are logged.
    if [ "$error" != "$last_error" ] || [ $((failures % 40)) -eq 1 ]; then
      log "database unreachable, $valid_lines journaled records wait (failure $failures): $error"
    fi
    last_error=$error
  fi
  rm -rf "$work"
  return "$status"
}

# Prints the journal's parts, oldest first; their names sort by the time of the rotation.
list_parts() {
  for part in "$journal".part-*; do
    case "$part" in *.reconciled-bytes | *.tmp) continue ;; esac
    [ -f "$part" ] && printf '%s\n' "$part"
  done
}

# Prints "settled" when part $1 has not changed for part_settle_seconds.
part_state() {
  if [ $(($(date +%s) - $(stat -c %Y "$1"))) -ge "$part_settle_seconds" ]; then
    echo settled
  fi
}

# Deletes part $1 when it is settled and its offset covers all of it.
remove_if_reconciled() {
  part_size=$(stat -c %s "$1")
  part_offset=$(cat "$1.reconciled-bytes" 2>/dev/null || echo 0)
  if [ "$part_offset" = "$part_size" ] && [ "$2" = settled ]; then
    rm -f "$1" "$1.reconciled-bytes"
    log "removed the reconciled journal part $1"
  fi
}

# Renames the journal to a new part once it reaches ROTATE_BYTES. The offset file moves first:
# a crash between the two renames leaves the journal without an offset, so the next pass reads
# it again from the start, and INSERT IGNORE stores nothing twice.
rotate_journal() {
  rotate_bytes=$(setting ROTATE_BYTES)
  case "$rotate_bytes" in '' | *[!0-9]* | 0) rotate_bytes=$default_rotate_bytes ;; esac
  [ -f "$journal" ] || return 0
  [ "$(stat -c %s "$journal")" -ge "$rotate_bytes" ] || return 0
  part="$journal.part-$(date -u +%Y%m%dT%H%M%S%NZ)"
  if [ -f "$journal.reconciled-bytes" ]; then
    mv "$journal.reconciled-bytes" "$part.reconciled-bytes"
  fi
  mv "$journal" "$part"
  log "rotated the journal to $part"
}

# One pass over the parts, then the journal, then the rotation; returns non-zero when the
# database could not be reached. The journal rotates during an outage too, and its parts stay
# until the database has every line of them.
reconcile_once() {
  journal=$(setting JOURNAL)
  table=$(setting TABLE)
  columns=$(setting COLUMNS)
  rejected_file="$journal.rejected"
  read_lines=0
  total_inserted=0
  rejected=0

  pass_status=0
  for part in $(list_parts); do
    state=$(part_state "$part")
    if ! reconcile_file "$part" "$state"; then
      pass_status=1
      break
    fi
    remove_if_reconciled "$part" "$state"
  done
  if [ "$pass_status" -eq 0 ]; then
    reconcile_file "$journal" || pass_status=1
  fi
  rotate_journal
  return "$pass_status"
}

ready() {
  [ -r "$settings_file" ] && [ -r "$client_file" ]
}

# Opens the lock that keeps two passes (the loop and a --once run) apart; fails when the
# journal directory is not writable.
open_lock() {
  directory=$(dirname "$(setting JOURNAL)")
  if [ ! -w "$directory" ]; then
    log "cannot write to the journal directory $directory; is the journal volume mounted?"
    return 1
  fi
  exec 9>"$directory/.reconcile.lock"
}

if [ "${1:-}" = "--once" ]; then
  if ! ready; then
    log "missing $settings_file or $client_file: call records are not configured"
    exit 64
  fi
  open_lock || exit 73
  flock 9
  reconcile_once
  status=$?
  echo "read=$read_lines inserted=$total_inserted rejected=$rejected"
  exit "$status"
fi

lock_open=""
while :; do
  interval=15
  if ready && { [ -n "$lock_open" ] || open_lock; }; then
    lock_open=yes
    interval=$(setting INTERVAL_SECONDS)
    flock 9
    if reconcile_once && [ "$failures" -gt 0 ]; then
      log "database reachable again after $failures failed passes"
      failures=0
      last_error=""
    fi
    flock -u 9
  fi
  sleep "${interval:-15}"
done
