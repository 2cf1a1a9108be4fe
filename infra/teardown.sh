#!/usr/bin/env bash
# Undo infra/provision.sh: the app registration (not part of any resource group), the identity,
# the deployment, the account (deleted, then purged: a deleted Azure OpenAI account is kept for
# 48 hours and blocks its name), and the resource group. Safe to re-run: what is gone is skipped.
#
#   infra/teardown.sh --account NAME [--resource-group NAME] [--location REGION] [--identity NAME]
#                     [--app NAME] [--cert-dir DIR] [--keep-group] [--dry-run]
set -euo pipefail

RESOURCE_GROUP="rg-keyless-lab"
LOCATION="swedencentral"
ACCOUNT=""
DEPLOYMENT="gpt-4o-mini"
IDENTITY=""
APP=""
CERT_DIR="${HOME}/.keyless-lab"
KEEP_GROUP=0
DRY_RUN=0

die() { printf 'teardown.sh: %s\n' "$*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --account) ACCOUNT="${2:?}"; shift 2 ;;
    --resource-group) RESOURCE_GROUP="${2:?}"; shift 2 ;;
    --location) LOCATION="${2:?}"; shift 2 ;;
    --deployment) DEPLOYMENT="${2:?}"; shift 2 ;;
    --identity) IDENTITY="${2:?}"; shift 2 ;;
    --app) APP="${2:?}"; shift 2 ;;
    --cert-dir) CERT_DIR="${2:?}"; shift 2 ;;
    --keep-group) KEEP_GROUP=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done
[ -n "$ACCOUNT" ] || die "--account is required"
command -v az >/dev/null || die "the Azure CLI (az) is not on PATH"

# shellcheck source-path=SCRIPTDIR source=az-helpers.sh
. "$(dirname "$0")/az-helpers.sh"

[ -n "$(look account show --query id)" ] || die "not signed in: run 'az login' first"

if [ -n "$APP" ]; then
  APP_CLIENT_ID="$(look ad app list --display-name "$APP" --query '[0].appId')"
  if [ -n "$APP_CLIENT_ID" ]; then
    change ad app delete --id "$APP_CLIENT_ID"
  else
    log "= app $APP is gone"
  fi
  if [ -f "$CERT_DIR/$APP.pem" ]; then
    log "+ rm $CERT_DIR/$APP.pem"
    [ "$DRY_RUN" = 1 ] || rm -f "$CERT_DIR/$APP.pem"
  fi
fi

if [ -n "$IDENTITY" ]; then
  if [ -n "$(look identity show --name "$IDENTITY" --resource-group "$RESOURCE_GROUP" --query id)" ]; then
    change identity delete --name "$IDENTITY" --resource-group "$RESOURCE_GROUP"
  else
    log "= identity $IDENTITY is gone"
  fi
fi

if [ -n "$(look cognitiveservices account show --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP" --query id)" ]; then
  if [ -n "$(look cognitiveservices account deployment show --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP" \
      --deployment-name "$DEPLOYMENT" --query name)" ]; then
    change cognitiveservices account deployment delete --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP" \
      --deployment-name "$DEPLOYMENT"
  fi
  change cognitiveservices account delete --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP"
  change cognitiveservices account purge --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP" --location "$LOCATION"
else
  log "= account $ACCOUNT is gone"
fi

if [ "$KEEP_GROUP" = 0 ]; then
  change group delete --name "$RESOURCE_GROUP" --yes --no-wait
fi
log "teardown done"
