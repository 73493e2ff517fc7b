#!/bin/sh
# Polaris bootstrap for the floe Docker stack (infra/docker-compose.yml, service `polaris-bootstrap`).
#
# Turns a freshly started Apache Polaris into something the floe workers can write to, using only
# curl and Polaris's management API (spec/polaris-management-service.yml in apache/polaris):
#   1. a root token from the OAuth2 endpoint `/api/catalog/v1/oauth/tokens` (client_credentials,
#      scope PRINCIPAL_ROLE:ALL) with the root credentials Polaris was started with;
#   2. an INTERNAL catalog whose S3 storage points at MinIO the way it was verified with Polaris 1.4.1:
#      path-style, a separate internal endpoint, STS at MinIO (`stsEndpoint`), and `kmsUnavailable:
#      true` — MinIO has no AWS KMS, and without it Polaris answers loadTable, commitTable and its own
#      metadata writes with 422 "Failed to get subscoped credentials: invalid resource 'arn:aws:kms…'".
#      With FLOE_ACCESS_DELEGATION=none (the default: the workers hold their own MinIO keys) the
#      catalog also gets `stsUnavailable: true`, so Polaris never calls STS; with
#      `vended-credentials` it vends per-table credentials through MinIO's STS;
#   3. a principal role and a catalog role holding CATALOG_MANAGE_CONTENT, linked to each other;
#   4. a principal for the workers, holding that principal role, whose client id/secret are written to
#      $FLOE_OUTPUT_DIR/catalog-credentials.env (read by the workers with `node --env-file`) and
#      catalog-credentials.json. The secret is never printed.
# Every step is idempotent: re-running `docker compose up` against a Polaris that still holds the state
# treats 409 (already exists) as success and keeps working credentials instead of resetting them, so
# running workers are not cut off. Polaris uses in-memory persistence in this stack: when it restarts,
# the state is gone and this script recreates it (the old credentials stop working, so new ones are made).
set -eu

POLARIS_URL="${POLARIS_URL:-http://polaris:8181}"
POLARIS_REALM="${POLARIS_REALM:-POLARIS}"
FLOE_CATALOG_NAME="${FLOE_CATALOG_NAME:-floe}"
FLOE_WAREHOUSE_LOCATION="${FLOE_WAREHOUSE_LOCATION:-s3://warehouse/}"
S3_ENDPOINT="${S3_ENDPOINT:-http://minio:9000}"
S3_ENDPOINT_INTERNAL="${S3_ENDPOINT_INTERNAL:-$S3_ENDPOINT}"
S3_REGION="${S3_REGION:-us-east-1}"
# STS that Polaris calls to vend credentials: MinIO serves STS on its S3 endpoint.
S3_STS_ENDPOINT="${S3_STS_ENDPOINT:-$S3_ENDPOINT_INTERNAL}"
# What the workers' floe.yaml says in catalog.access_delegation: none or vended-credentials.
FLOE_ACCESS_DELEGATION="${FLOE_ACCESS_DELEGATION:-none}"
FLOE_PRINCIPAL="${FLOE_PRINCIPAL:-floe_worker}"
FLOE_PRINCIPAL_ROLE="${FLOE_PRINCIPAL_ROLE:-floe_writer}"
FLOE_CATALOG_ROLE="${FLOE_CATALOG_ROLE:-floe_content_manager}"
FLOE_OUTPUT_DIR="${FLOE_OUTPUT_DIR:-/var/run/floe}"
# uid:gid that may read the credentials: the `node` user of the worker images.
FLOE_OUTPUT_OWNER="${FLOE_OUTPUT_OWNER:-1000:1000}"

: "${POLARIS_ROOT_CLIENT_ID:?set POLARIS_ROOT_CLIENT_ID to the client id Polaris was bootstrapped with}"
: "${POLARIS_ROOT_CLIENT_SECRET:?set POLARIS_ROOT_CLIENT_SECRET to the secret Polaris was bootstrapped with}"

MANAGEMENT="$POLARIS_URL/api/management/v1"
TOKEN_URL="$POLARIS_URL/api/catalog/v1/oauth/tokens"
WORK_DIR="$(mktemp -d)"
trap 'rm -rf "$WORK_DIR"' EXIT

log() { printf '[polaris-bootstrap] %s\n' "$*"; }
fail() {
  printf '[polaris-bootstrap] ERROR: %s\n' "$*" >&2
  exit 1
}

# Names go into JSON bodies and URL paths unescaped, so only allow characters that need no escaping.
require_plain_name() {
  case "$2" in
    '' | *[!A-Za-z0-9_-]*) fail "$1='$2' must be non-empty and use only letters, digits, '_' and '-'" ;;
  esac
}
require_plain_name FLOE_CATALOG_NAME "$FLOE_CATALOG_NAME"
require_plain_name FLOE_PRINCIPAL "$FLOE_PRINCIPAL"
require_plain_name FLOE_PRINCIPAL_ROLE "$FLOE_PRINCIPAL_ROLE"
require_plain_name FLOE_CATALOG_ROLE "$FLOE_CATALOG_ROLE"
case "$FLOE_ACCESS_DELEGATION" in
  none) STS_UNAVAILABLE=true ;;
  vended-credentials) STS_UNAVAILABLE=false ;;
  *) fail "FLOE_ACCESS_DELEGATION='$FLOE_ACCESS_DELEGATION' must be none or vended-credentials (as catalog.access_delegation in floe.yaml)" ;;
esac

# Pulls a string field out of a flat-enough JSON document without jq (the curl image has none).
# Polaris's token and credential values are URL-safe strings, so they never contain quotes.
json_string_field() {
  sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" | head -n 1
}

# POSTs the client_credentials form; prints the access token, or nothing when the credentials are refused.
fetch_token() {
  status=$(curl -sS -o "$WORK_DIR/token.json" -w '%{http_code}' -X POST "$TOKEN_URL" \
    -H "Polaris-Realm: $POLARIS_REALM" \
    --data-urlencode 'grant_type=client_credentials' \
    --data-urlencode "client_id=$1" \
    --data-urlencode "client_secret=$2" \
    --data-urlencode 'scope=PRINCIPAL_ROLE:ALL') || fail "cannot reach Polaris at $TOKEN_URL"
  if [ "$status" = 200 ]; then
    json_string_field access_token <"$WORK_DIR/token.json"
  fi
}

# call METHOD PATH BODY ACCEPTED_STATUSES... — one management API request; fails with Polaris's answer
# unless the status is one of the accepted ones. The response body is left in $WORK_DIR/response.json.
call() {
  method=$1
  path=$2
  body=$3
  shift 3
  status=$(curl -sS -o "$WORK_DIR/response.json" -w '%{http_code}' -X "$method" "$MANAGEMENT$path" \
    -H "Authorization: Bearer $ROOT_TOKEN" \
    -H "Polaris-Realm: $POLARIS_REALM" \
    -H 'Accept: application/json' \
    -H 'Content-Type: application/json' \
    --data "$body") || fail "cannot reach Polaris at $MANAGEMENT$path"
  for accepted in "$@"; do
    if [ "$status" = "$accepted" ]; then
      LAST_STATUS=$status
      return 0
    fi
  done
  fail "$method $path answered $status: $(cat "$WORK_DIR/response.json")"
}

log "requesting a root token from $TOKEN_URL (realm $POLARIS_REALM)"
ROOT_TOKEN=$(fetch_token "$POLARIS_ROOT_CLIENT_ID" "$POLARIS_ROOT_CLIENT_SECRET")
[ -n "$ROOT_TOKEN" ] || fail "Polaris refused the root credentials for client id '$POLARIS_ROOT_CLIENT_ID' ($(cat "$WORK_DIR/token.json")): check POLARIS_ROOT_CLIENT_ID/POLARIS_ROOT_CLIENT_SECRET match POLARIS_BOOTSTRAP_CREDENTIALS"

log "creating catalog '$FLOE_CATALOG_NAME' at $FLOE_WAREHOUSE_LOCATION (S3 endpoint $S3_ENDPOINT, internal $S3_ENDPOINT_INTERNAL, STS $S3_STS_ENDPOINT, access delegation $FLOE_ACCESS_DELEGATION)"
call POST /catalogs "{
  \"catalog\": {
    \"type\": \"INTERNAL\",
    \"name\": \"$FLOE_CATALOG_NAME\",
    \"properties\": {
      \"default-base-location\": \"$FLOE_WAREHOUSE_LOCATION\",
      \"polaris.config.drop-with-purge.enabled\": \"true\"
    },
    \"storageConfigInfo\": {
      \"storageType\": \"S3\",
      \"allowedLocations\": [\"$FLOE_WAREHOUSE_LOCATION\"],
      \"endpoint\": \"$S3_ENDPOINT\",
      \"endpointInternal\": \"$S3_ENDPOINT_INTERNAL\",
      \"stsEndpoint\": \"$S3_STS_ENDPOINT\",
      \"pathStyleAccess\": true,
      \"region\": \"$S3_REGION\",
      \"kmsUnavailable\": true,
      \"stsUnavailable\": $STS_UNAVAILABLE
    }
  }
}" 201 409
[ "$LAST_STATUS" = 409 ] && log "catalog '$FLOE_CATALOG_NAME' already exists"

log "creating principal role '$FLOE_PRINCIPAL_ROLE'"
call POST /principal-roles "{\"principalRole\": {\"name\": \"$FLOE_PRINCIPAL_ROLE\", \"properties\": {}}}" 201 409

log "creating catalog role '$FLOE_CATALOG_ROLE' with CATALOG_MANAGE_CONTENT"
call POST "/catalogs/$FLOE_CATALOG_NAME/catalog-roles" \
  "{\"catalogRole\": {\"name\": \"$FLOE_CATALOG_ROLE\", \"properties\": {}}}" 201 409
call PUT "/catalogs/$FLOE_CATALOG_NAME/catalog-roles/$FLOE_CATALOG_ROLE/grants" \
  '{"grant": {"type": "catalog", "privilege": "CATALOG_MANAGE_CONTENT"}}' 200 201 204 409

log "granting catalog role '$FLOE_CATALOG_ROLE' to principal role '$FLOE_PRINCIPAL_ROLE'"
call PUT "/principal-roles/$FLOE_PRINCIPAL_ROLE/catalog-roles/$FLOE_CATALOG_NAME" \
  "{\"catalogRole\": {\"name\": \"$FLOE_CATALOG_ROLE\"}}" 200 201 204 409

CREDENTIALS_ENV="$FLOE_OUTPUT_DIR/catalog-credentials.env"
CLIENT_ID=''
CLIENT_SECRET=''
if [ -f "$CREDENTIALS_ENV" ]; then
  # Keep credentials that still work: resetting them would cut off workers that are already running.
  previous_id=$(sed -n 's/^FLOE_CATALOG_CLIENT_ID=//p' "$CREDENTIALS_ENV")
  previous_secret=$(sed -n 's/^FLOE_CATALOG_CLIENT_SECRET=//p' "$CREDENTIALS_ENV")
  if [ -n "$previous_id" ] && [ -n "$(fetch_token "$previous_id" "$previous_secret")" ]; then
    log "keeping the existing credentials of principal '$FLOE_PRINCIPAL' (client id $previous_id)"
    CLIENT_ID=$previous_id
    CLIENT_SECRET=$previous_secret
  fi
fi

if [ -z "$CLIENT_ID" ]; then
  log "creating principal '$FLOE_PRINCIPAL'"
  call POST /principals \
    "{\"principal\": {\"name\": \"$FLOE_PRINCIPAL\", \"properties\": {\"purpose\": \"floe workers\"}}, \"credentialRotationRequired\": false}" \
    201 409
  if [ "$LAST_STATUS" = 409 ]; then
    # The principal exists but its secret is unknown to us (lost credentials file): issue new ones.
    log "principal '$FLOE_PRINCIPAL' exists without usable credentials here: resetting them"
    call POST "/principals/$FLOE_PRINCIPAL/reset" '{}' 200 201
  fi
  CLIENT_ID=$(json_string_field clientId <"$WORK_DIR/response.json")
  CLIENT_SECRET=$(json_string_field clientSecret <"$WORK_DIR/response.json")
  [ -n "$CLIENT_ID" ] && [ -n "$CLIENT_SECRET" ] ||
    fail "Polaris returned no credentials for principal '$FLOE_PRINCIPAL' (status $LAST_STATUS)"
fi

log "granting principal role '$FLOE_PRINCIPAL_ROLE' to principal '$FLOE_PRINCIPAL'"
call PUT "/principals/$FLOE_PRINCIPAL/principal-roles" \
  "{\"principalRole\": {\"name\": \"$FLOE_PRINCIPAL_ROLE\"}}" 200 201 204 409

# Prove the credentials work before handing them to the workers.
[ -n "$(fetch_token "$CLIENT_ID" "$CLIENT_SECRET")" ] ||
  fail "the new credentials of principal '$FLOE_PRINCIPAL' (client id $CLIENT_ID) were refused by $TOKEN_URL"

mkdir -p "$FLOE_OUTPUT_DIR"
umask 077
{
  printf 'FLOE_CATALOG_CLIENT_ID=%s\n' "$CLIENT_ID"
  printf 'FLOE_CATALOG_CLIENT_SECRET=%s\n' "$CLIENT_SECRET"
  printf 'FLOE_CATALOG_WAREHOUSE=%s\n' "$FLOE_CATALOG_NAME"
} >"$CREDENTIALS_ENV.tmp"
printf '{"catalog":"%s","principal":"%s","clientId":"%s","clientSecret":"%s"}\n' \
  "$FLOE_CATALOG_NAME" "$FLOE_PRINCIPAL" "$CLIENT_ID" "$CLIENT_SECRET" >"$FLOE_OUTPUT_DIR/catalog-credentials.json.tmp"
# Owned by the workers' user; chown fails harmlessly when not run as root (e.g. in tests).
chown "$FLOE_OUTPUT_OWNER" "$CREDENTIALS_ENV.tmp" "$FLOE_OUTPUT_DIR/catalog-credentials.json.tmp" 2>/dev/null || true
mv "$CREDENTIALS_ENV.tmp" "$CREDENTIALS_ENV"
mv "$FLOE_OUTPUT_DIR/catalog-credentials.json.tmp" "$FLOE_OUTPUT_DIR/catalog-credentials.json"

log "done: catalog '$FLOE_CATALOG_NAME' (warehouse for Iceberg REST clients), principal '$FLOE_PRINCIPAL'"
log "client id: $CLIENT_ID"
log "client id and secret written to $CREDENTIALS_ENV and $FLOE_OUTPUT_DIR/catalog-credentials.json"
