# Puts the project's Pulumi toolchain on PATH and applies the embedded local
# defaults, unless the operator set their own. Source after lib/common.sh.
#   PULUMI_BACKEND_URL        default: file://<repo>/.pulumi-state (ignored by git)
#   PULUMI_CONFIG_PASSPHRASE  default: the local-only passphrase below
# A real team sets its own backend and secrets provider instead (README).

# shellcheck source=/dev/null
source "$INOVA_ROOT/scripts/toolchain/env.sh"

INOVA_LOCAL_PASSPHRASE="inova-local-only"
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$INOVA_ROOT/.pulumi-state}
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE=$INOVA_LOCAL_PASSPHRASE
fi
case "$PULUMI_BACKEND_URL" in
  file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;;
esac
