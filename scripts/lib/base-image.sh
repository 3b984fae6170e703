# Provides the Debian base image that every project image builds FROM.
# No container registry is assumed: the image is made from Debian's archive with
# debootstrap and `docker import`. Set INOVA_BASE_IMAGE_PULL=debian:sid to pull
# a registry image instead, where a registry is reachable.
# Source, then call ensure_base_image.

INOVA_BASE_IMAGE=${INOVA_BASE_IMAGE:-inova/debian-sid:base}
INOVA_DEBIAN_MIRROR=${INOVA_DEBIAN_MIRROR:-http://deb.debian.org/debian}

ensure_base_image() {
  if docker image inspect "$INOVA_BASE_IMAGE" >/dev/null 2>&1; then
    return 0
  fi

  if [ -n "${INOVA_BASE_IMAGE_PULL:-}" ]; then
    progress "pulling $INOVA_BASE_IMAGE_PULL"
    docker pull "$INOVA_BASE_IMAGE_PULL" >/dev/null || die "docker pull $INOVA_BASE_IMAGE_PULL failed; unset INOVA_BASE_IMAGE_PULL to build from Debian's archive"
    docker tag "$INOVA_BASE_IMAGE_PULL" "$INOVA_BASE_IMAGE"
    return 0
  fi

  command -v debootstrap >/dev/null || apt_install debootstrap
  local rootfs
  rootfs=$(mktemp -d "${TMPDIR:-/tmp}/inova-rootfs.XXXXXX")
  progress "building base image $INOVA_BASE_IMAGE with debootstrap (about a minute)"
  debootstrap --variant=minbase sid "$rootfs" "$INOVA_DEBIAN_MIRROR" >"$INOVA_CACHE_DIR/debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $INOVA_CACHE_DIR/debootstrap.log"

  # The archive these machines reach can be a frozen snapshot older than the
  # clock, so apt inside images must not reject expired Release files.
  printf 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\n' \
    >"$rootfs/etc/apt/apt.conf.d/99inova-snapshot"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$rootfs/etc/apt/apt.conf.d/99inova-no-recommends"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

  tar -C "$rootfs" -c . | docker import -c 'ENV LANG=C.UTF-8' -c 'CMD ["/bin/bash"]' - "$INOVA_BASE_IMAGE" >/dev/null \
    || die "docker import of the base image failed"
  rm -rf "$rootfs"
}
