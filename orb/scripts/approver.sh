#!/usr/bin/env bash
# Who approved this workflow's hold? No CIRCLE_* variable says, so ask
# CircleCI's API when a token is available, and export the answer as
# LAMBDA_RELEASE_APPROVER ("unknown" without a token or on any API error:
# the rollback goes ahead, the record says the approver is unknown).
#   LR_ENV_TOKEN_NAME  the NAME of the variable holding a CircleCI API token
#   LR_STR_API_URL     CircleCI API base (default https://circleci.com/api/v2)

lr_api() {
  # $1: path under the API; the token is sent as a header, never on the command line.
  curl --silent --show-error --fail --max-time 20 \
    --header @<(printf 'Circle-Token: %s\n' "${LR_TOKEN}") \
    "${LR_STR_API_URL:-https://circleci.com/api/v2}$1"
}

lr_json_field() {
  # Reads JSON on stdin; prints the approved_by of the first approval job, or the login.
  python3 -c '
import json, sys
data = json.load(sys.stdin)
if sys.argv[1] == "approver":
    ids = [j.get("approved_by") for j in data.get("items", []) if j.get("type") == "approval" and j.get("approved_by")]
    print(ids[-1] if ids else "")
else:
    print(data.get("login") or data.get("name") or "")
' "$1"
}

lr_find_approver() {
  local token_name="${LR_ENV_TOKEN_NAME:-CIRCLE_TOKEN}"
  LR_TOKEN="${!token_name:-}"
  if [ -z "${LR_TOKEN}" ] || [ -z "${CIRCLE_WORKFLOW_ID:-}" ]; then
    echo "unknown"
    return 0
  fi
  local user_id login
  user_id="$(lr_api "/workflow/${CIRCLE_WORKFLOW_ID}/job" | lr_json_field approver)" || user_id=""
  if [ -z "${user_id}" ]; then echo "unknown"; return 0; fi
  login="$(lr_api "/user/${user_id}" | lr_json_field login)" || login=""
  echo "${login:-${user_id}}"
}

main() {
  local approver q="'\\''"
  approver="$(lr_find_approver)"
  printf "export LAMBDA_RELEASE_APPROVER='%s'\n" "${approver//\'/${q}}" >> "${BASH_ENV}"
  echo "rollback approved by: ${approver}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
