#!/usr/bin/env bash
# Create what the keyless-lab course uses on a real Azure subscription, idempotently, and print
# the parameters YAML the notebooks take (stdout; progress goes to stderr):
#
#   az login
#   infra/provision.sh --account oai-<yours> [options] > notebooks/params/my-azure.yaml
#   keyless-lab run -f notebooks/params/my-azure.yaml      # the course in azure mode
#
# It creates: a resource group; an Azure OpenAI account with key access disabled
# (disableLocalAuth); a model deployment; "Cognitive Services OpenAI User" for the signed-in user;
# optionally a user-assigned managed identity (--identity) with the same role; optionally an app
# registration (--app) with a certificate and the same role, plus federated credentials for a
# GitHub repository (--github-repo). Every step looks before it creates, so re-running is safe.
# Role assignments take up to five minutes to take effect on Azure.
#
# In the lab the same script runs against keyless-lab's `az` stand-in (tests/infra/).
set -euo pipefail

RESOURCE_GROUP="rg-keyless-lab"
LOCATION="swedencentral"
ACCOUNT=""
DEPLOYMENT="gpt-4o-mini"
MODEL="gpt-4o-mini"
MODEL_VERSION="2024-07-18"
CAPACITY="10"
IDENTITY=""
APP=""
GITHUB_REPO=""
CERT_DIR="${HOME}/.keyless-lab"
DRY_RUN=0
ROLE="Cognitive Services OpenAI User"

usage() {
  cat <<'USAGE'
usage: infra/provision.sh --account NAME [options]
  --account NAME          Azure OpenAI account name (globally unique: it becomes NAME.openai.azure.com)
  --resource-group NAME   resource group (default: rg-keyless-lab)
  --location REGION       region with your model available (default: swedencentral)
  --deployment NAME       deployment name (default: gpt-4o-mini)
  --model NAME            model (default: gpt-4o-mini)   --model-version V (default: 2024-07-18)
  --capacity N            deployment capacity in thousands of tokens per minute (default: 10)
  --identity NAME         also create a user-assigned managed identity with the role
  --app NAME              also create an app registration with a certificate and the role
  --github-repo ORG/REPO  with --app: federated credentials for the repo's main branch and 'prod' environment
  --cert-dir DIR          where the app's certificate (private key + certificate PEM) is kept (default: ~/.keyless-lab)
  --dry-run               print the az commands that would change something, change nothing
USAGE
}

die() { printf 'provision.sh: %s\n' "$*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --account) ACCOUNT="${2:?}"; shift 2 ;;
    --resource-group) RESOURCE_GROUP="${2:?}"; shift 2 ;;
    --location) LOCATION="${2:?}"; shift 2 ;;
    --deployment) DEPLOYMENT="${2:?}"; shift 2 ;;
    --model) MODEL="${2:?}"; shift 2 ;;
    --model-version) MODEL_VERSION="${2:?}"; shift 2 ;;
    --capacity) CAPACITY="${2:?}"; shift 2 ;;
    --identity) IDENTITY="${2:?}"; shift 2 ;;
    --app) APP="${2:?}"; shift 2 ;;
    --github-repo) GITHUB_REPO="${2:?}"; shift 2 ;;
    --cert-dir) CERT_DIR="${2:?}"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done
[ -n "$ACCOUNT" ] || { usage >&2; die "--account is required"; }
[ -z "$GITHUB_REPO" ] || [ -n "$APP" ] || die "--github-repo needs --app (federated credentials live on an app registration)"
command -v az >/dev/null || die "the Azure CLI (az) is not on PATH: https://aka.ms/install-azure-cli"

# shellcheck source-path=SCRIPTDIR source=az-helpers.sh
. "$(dirname "$0")/az-helpers.sh"

# value: a changing command's tsv value, or a placeholder in a dry run.
value() {
  local placeholder="$1"; shift
  if [ "$DRY_RUN" = 1 ]; then log "+ az $*"; printf '<%s>\n' "$placeholder"; return 0; fi
  log "+ az $*"
  az "$@" --only-show-errors -o tsv
}

# assign: the role for a principal at the account scope, unless it is already there.
assign() {
  local object_id="$1" principal_type="$2"
  if [ -n "$(look role assignment list --assignee "$object_id" --role "$ROLE" --scope "$ACCOUNT_ID" --query '[0].id')" ]; then
    log "= $ROLE already assigned to $object_id"
  else
    change role assignment create --assignee-object-id "$object_id" --assignee-principal-type "$principal_type" \
      --role "$ROLE" --scope "$ACCOUNT_ID" -o none
  fi
}

SUBSCRIPTION_ID="$(look account show --query id)"
[ -n "$SUBSCRIPTION_ID" ] || die "not signed in: run 'az login' first"
TENANT_ID="$(look account show --query tenantId)"
log "subscription $SUBSCRIPTION_ID, tenant $TENANT_ID"

change group create --name "$RESOURCE_GROUP" --location "$LOCATION" -o none

ACCOUNT_ID="$(look cognitiveservices account show --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP" --query id)"
if [ -z "$ACCOUNT_ID" ]; then
  ACCOUNT_ID="$(value "account-id" cognitiveservices account create --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP" \
    --location "$LOCATION" --kind OpenAI --sku S0 --custom-domain "$ACCOUNT" --yes --query id)"
else
  log "= account $ACCOUNT exists"
fi

LOCAL_AUTH_DISABLED="$(look cognitiveservices account show --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP" \
  --query properties.disableLocalAuth)"
case "$LOCAL_AUTH_DISABLED" in
  [Tt]rue) log "= key access already disabled" ;;
  *) change resource update --ids "$ACCOUNT_ID" --set properties.disableLocalAuth=true -o none ;;
esac

if [ -n "$(look cognitiveservices account deployment show --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP" --deployment-name "$DEPLOYMENT" --query name)" ]; then
  log "= deployment $DEPLOYMENT exists"
else
  change cognitiveservices account deployment create --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP" \
    --deployment-name "$DEPLOYMENT" --model-name "$MODEL" --model-version "$MODEL_VERSION" --model-format OpenAI \
    --sku-name GlobalStandard --sku-capacity "$CAPACITY" -o none
fi

USER_ID="$(look ad signed-in-user show --query id)"
if [ -n "$USER_ID" ]; then
  assign "$USER_ID" User
else
  log "! not signed in as a user (a service principal?): no role assignment for the signed-in user"
fi

IDENTITY_CLIENT_ID=""
if [ -n "$IDENTITY" ]; then
  IDENTITY_CLIENT_ID="$(look identity show --name "$IDENTITY" --resource-group "$RESOURCE_GROUP" --query clientId)"
  if [ -z "$IDENTITY_CLIENT_ID" ]; then
    IDENTITY_CLIENT_ID="$(value "identity-client-id" identity create --name "$IDENTITY" --resource-group "$RESOURCE_GROUP" \
      --location "$LOCATION" --query clientId)"
  fi
  IDENTITY_PRINCIPAL_ID="$(look identity show --name "$IDENTITY" --resource-group "$RESOURCE_GROUP" --query principalId)"
  assign "${IDENTITY_PRINCIPAL_ID:-<identity-principal-id>}" ServicePrincipal
fi

APP_CLIENT_ID=""
CERTIFICATE_PATH=""
if [ -n "$APP" ]; then
  APP_CLIENT_ID="$(look ad app list --display-name "$APP" --query '[0].appId')"
  if [ -z "$APP_CLIENT_ID" ]; then
    APP_CLIENT_ID="$(value "app-client-id" ad app create --display-name "$APP" --query appId)"
  fi
  SP_ID="$(look ad sp show --id "$APP_CLIENT_ID" --query id)"
  if [ -z "$SP_ID" ]; then
    SP_ID="$(value "service-principal-id" ad sp create --id "$APP_CLIENT_ID" --query id)"
  fi
  assign "$SP_ID" ServicePrincipal
  CERTIFICATE_PATH="$CERT_DIR/$APP.pem"
  if [ -f "$CERTIFICATE_PATH" ]; then
    log "= certificate $CERTIFICATE_PATH exists"
  else
    created="$(value "certificate.pem" ad app credential reset --id "$APP_CLIENT_ID" --create-cert --append \
      --display-name keyless-lab --query fileWithCertAndPrivateKey)"
    if [ "$DRY_RUN" = 0 ]; then
      mkdir -p "$CERT_DIR"
      (umask 077 && cp "$created" "$CERTIFICATE_PATH")
      rm -f "$created"
    fi
  fi
  if [ -n "$GITHUB_REPO" ]; then
    existing="$(look ad app federated-credential list --id "$APP_CLIENT_ID" --query '[].name')"
    for pair in "github-main repo:$GITHUB_REPO:ref:refs/heads/main" "github-prod repo:$GITHUB_REPO:environment:prod"; do
      name="${pair%% *}"; subject="${pair#* }"
      if printf '%s\n' "$existing" | grep -qx "$name"; then
        log "= federated credential $name exists"
      else
        change ad app federated-credential create --id "$APP_CLIENT_ID" -o none --parameters \
          "{\"name\": \"$name\", \"issuer\": \"https://token.actions.githubusercontent.com\", \"subject\": \"$subject\", \"audiences\": [\"api://AzureADTokenExchange\"]}"
      fi
    done
  fi
fi

ENDPOINT="$(look cognitiveservices account show --name "$ACCOUNT" --resource-group "$RESOURCE_GROUP" --query properties.endpoint)"
cat <<YAML
# keyless-lab parameters for azure mode, written by infra/provision.sh (no secrets in here).
# Use: keyless-lab run -f THIS.yaml   or   papermill NOTEBOOK out.ipynb -f THIS.yaml
mode: azure
endpoint: "${ENDPOINT:-https://$ACCOUNT.openai.azure.com/}"
deployment: "$DEPLOYMENT"
tenant_id: "$TENANT_ID"
identity_client_id: "$IDENTITY_CLIENT_ID"
app_client_id: "$APP_CLIENT_ID"
certificate_path: "$CERTIFICATE_PATH"
YAML
