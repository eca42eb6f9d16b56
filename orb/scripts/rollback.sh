#!/usr/bin/env bash
# Undo the release this pipeline's deploy made, and only that one: the
# release id comes from the deploy job's record (through the workspace), so a
# re-run or a second approval is a no-op and an approval left in an older
# pipeline cannot undo a newer release (the helper refuses, naming it).
#   LR_STR_RELEASE       explicit release id (beats the record)
#   LR_STR_DEPLOY_RECORD the deploy job's record file (read for its release id)
#   LR_STR_REASON        why; the approver found by the approver step is appended
#   LR_STR_REGION        AWS region (default: the environment's)
#   LR_STR_RECORD_FILE   where to write the rollback's own record (its JSON output)

lr_release_id() {
  if [ -n "${LR_STR_RELEASE:-}" ]; then
    printf '%s\n' "${LR_STR_RELEASE}"
    return 0
  fi
  local record="${LR_STR_DEPLOY_RECORD:-}"
  if [ -z "${record}" ] || [ ! -s "${record}" ]; then
    echo "lambda-release/rollback: no release id: the deploy record ${record:-(unset)} is missing; attach the deploy job's workspace or set the release parameter" >&2
    return 2
  fi
  python3 -c '
import json, sys
data = json.load(open(sys.argv[1]))
rid = data.get("release_id") or data.get("id") or ""
if not rid:
    sys.exit("lambda-release/rollback: " + sys.argv[1] + " holds no release id (outcome " + str(data.get("outcome")) + ")")
print(rid)
' "${record}"
}

main() {
  if [ -z "${LAMBDA_RELEASE_STACK:-}" ] || [ -z "${LAMBDA_RELEASE_ALIAS:-}" ]; then
    echo "lambda-release/rollback: no target: run lambda-release/target first, or set alias and stack" >&2
    return 2
  fi
  local release
  release="$(lr_release_id)"
  local reason="${LR_STR_REASON:-rollback from CircleCI}"
  reason="${reason} (approved by ${LAMBDA_RELEASE_APPROVER:-unknown})"
  # "--option=value": a value starting with "-" is never read as an option.
  local -a args=(rollback "--stack=${LAMBDA_RELEASE_STACK}" "--alias=${LAMBDA_RELEASE_ALIAS}"
    "--release=${release}" "--reason=${reason}")
  if [ -n "${LR_STR_REGION:-}" ]; then args+=("--region=${LR_STR_REGION}"); fi
  if [ -z "${LR_STR_RECORD_FILE:-}" ]; then
    lambda-release "${args[@]}"
    return
  fi
  # The JSON result is the rollback's record; tee shows it in the log too, and
  # pipefail keeps the helper's exit status.
  mkdir -p "$(dirname "${LR_STR_RECORD_FILE}")"
  lambda-release "${args[@]}" --output=json | tee "${LR_STR_RECORD_FILE}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
