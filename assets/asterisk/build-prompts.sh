#!/bin/sh
# Converts every prompt source in /var/lib/inova/prompt-sources into the files
# Asterisk plays: <name>.wav (8 kHz mono 16-bit) and <name>.sln16 (16 kHz, used
# by wideband codecs). A source is either <name>.txt, spoken by espeak-ng with
# the voice named on its first line, or <name>.<format>.b64, an audio file in
# base64 in any format sox reads (wav at any rate, mp3, flac, ogg, aiff, au).
# A prompt is rebuilt only when its source changed since the last build.
set -eu

src=/var/lib/inova/prompt-sources
out=/usr/share/asterisk/sounds/inova
stamp_dir=/var/lib/inova/prompt-stamps
mkdir -p "$out" "$stamp_dir"

for source in "$src"/*; do
  [ -f "$source" ] || continue
  file=$(basename "$source")
  name=${file%%.*}
  sum=$(sha256sum "$source" | cut -d' ' -f1)
  if [ -f "$stamp_dir/$name" ] && [ "$(cat "$stamp_dir/$name")" = "$sum" ] && [ -f "$out/$name.wav" ]; then
    continue
  fi

  tmp=$(mktemp -d)
  case "$file" in
    *.txt)
      voice=$(head -n 1 "$source")
      tail -n +2 "$source" > "$tmp/text"
      espeak-ng -v "$voice" -s 150 -f "$tmp/text" -w "$tmp/speech.wav"
      input="$tmp/speech.wav"
      ;;
    *.b64)
      format=${file%.b64}
      format=${format##*.}
      base64 -d "$source" > "$tmp/recording.$format"
      input="$tmp/recording.$format"
      ;;
    *)
      echo "inova-build-prompts: skipping $file: expected <name>.txt or <name>.<format>.b64" >&2
      rm -rf "$tmp"
      continue
      ;;
  esac

  sox "$input" -r 8000 -c 1 -b 16 -e signed-integer "$tmp/$name.wav"
  sox "$input" -r 16000 -c 1 -b 16 -e signed-integer -t raw "$tmp/$name.sln16"
  install -o asterisk -g asterisk -m 0644 "$tmp/$name.wav" "$tmp/$name.sln16" "$out/"
  echo "$sum" > "$stamp_dir/$name"
  rm -rf "$tmp"
  echo "inova-build-prompts: built $name"
done
