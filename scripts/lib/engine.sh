# Makes a Docker engine respond: the one already configured (DOCKER_HOST or the
# local socket), otherwise Debian's docker.io, installed and started here.
# Source, then call ensure_docker_engine.

docker_engine_responds() {
  docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1
}

ensure_docker_engine() {
  if command -v docker >/dev/null && docker_engine_responds; then
    return 0
  fi
  if [ -n "${DOCKER_HOST:-}" ]; then
    die "the Docker engine at DOCKER_HOST=$DOCKER_HOST does not respond; start it or unset DOCKER_HOST to use a local engine"
  fi

  command -v dockerd >/dev/null || apt_install docker.io
  command -v docker >/dev/null || die "docker.io installed but the docker client is missing"

  # A daemon killed without cleanup leaves its PID file, and a new dockerd
  # refuses to start while the file exists.
  local pid_file=/var/run/docker.pid
  if [ -f "$pid_file" ] && ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    rm -f "$pid_file"
  fi

  mkdir -p "$INOVA_CACHE_DIR/engine"
  local log="$INOVA_CACHE_DIR/engine/dockerd.log"
  progress "starting the Docker engine (log: $log)"
  # No systemd on these machines: dockerd runs in the background of this
  # shell's session and outlives it; its PID is kept for the operator.
  nohup dockerd >"$log" 2>&1 &
  echo $! >"$INOVA_CACHE_DIR/engine/dockerd.pid"

  local i
  for i in $(seq 1 60); do
    docker_engine_responds && return 0
    sleep 1
  done
  die "the Docker engine did not respond within 60 s; see $log"
}
