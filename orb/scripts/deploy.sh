#!/usr/bin/env bash
# Release: snapshot the aliases, sam deploy with the alias override, and
# settle the release from what the aliases show; write the record file.
# The target (LAMBDA_RELEASE_STACK / _ALIAS) comes from the target step
# through $BASH_ENV. Parameters (environment variables on the run step):
#   LR_STR_PARAMETER_OVERRIDES  Key=Value, one per line (values may hold spaces)
#   LR_STR_S3_BUCKET            artifacts bucket; or LR_BOOL_RESOLVE_S3=true
# CircleCI writes a boolean parameter into the environment as true/false.
#   LR_STR_CAPABILITIES         capabilities separated by spaces
#   LR_STR_REGION               AWS region (default: the environment's)
#   LR_STR_EXTRA_DEPLOY_ARGS    extra `sam deploy` arguments, one per line, verbatim
#   LR_STR_RECORD_FILE          where to write the release record (JSON)

lr_lines() {
  local line
  while IFS= read -r line || [ -n "${line}" ]; do
    line="${line%$'\r'}"
    [ -n "${line//[[:space:]]/}" ] && printf '%s\n' "${line}"
  done <<< "$1"
  return 0
}

lr_true() {
  # CircleCI renders booleans as true/false; 1 is accepted for hand-written calls.
  case "${1:-}" in true|1) return 0 ;; *) return 1 ;; esac
}

lr_deploy_args() {
  # One argument per line; the caller reads them with mapfile.
  local item
  printf '%s\n' deploy "--stack=${LAMBDA_RELEASE_STACK}" "--alias=${LAMBDA_RELEASE_ALIAS}"
  # Every user value is joined to its option with "=": a value starting with
  # "-" can never be read as an option, and each value stays one argument.
  while IFS= read -r item; do
    case "${item}" in
      *=*) printf '%s\n' "--parameter-override=${item}" ;;
      *) echo "lambda-release/deploy: parameter_overrides line '${item}' is not Key=Value" >&2; return 2 ;;
    esac
  done < <(lr_lines "${LR_STR_PARAMETER_OVERRIDES:-}")
  if [ -n "${LR_STR_S3_BUCKET:-}" ] && lr_true "${LR_BOOL_RESOLVE_S3:-}"; then
    echo "lambda-release/deploy: set s3_bucket or resolve_s3, not both" >&2
    return 2
  fi
  [ -n "${LR_STR_S3_BUCKET:-}" ] && printf '%s\n' "--s3-bucket=${LR_STR_S3_BUCKET}"
  lr_true "${LR_BOOL_RESOLVE_S3:-}" && printf '%s\n' --resolve-s3
  # Capability names never contain spaces: splitting on them is the rule.
  local capability
  set -f
  for capability in ${LR_STR_CAPABILITIES:-}; do
    printf '%s\n' "--capabilities=${capability}"
  done
  set +f
  [ -n "${LR_STR_REGION:-}" ] && printf '%s\n' "--region=${LR_STR_REGION}"
  [ -n "${LR_STR_RECORD_FILE:-}" ] && printf '%s\n' "--record-file=${LR_STR_RECORD_FILE}"
  while IFS= read -r item; do
    printf '%s\n' "--sam-arg=${item}"
  done < <(lr_lines "${LR_STR_EXTRA_DEPLOY_ARGS:-}")
  return 0
}

main() {
  if [ -z "${LAMBDA_RELEASE_STACK:-}" ] || [ -z "${LAMBDA_RELEASE_ALIAS:-}" ]; then
    echo "lambda-release/deploy: no target: run lambda-release/target first (it exports LAMBDA_RELEASE_STACK and LAMBDA_RELEASE_ALIAS)" >&2
    return 2
  fi
  if [ -n "${LR_STR_RECORD_FILE:-}" ]; then
    mkdir -p "$(dirname "${LR_STR_RECORD_FILE}")"
  fi
  local -a args=()
  local listing
  listing="$(lr_deploy_args)"
  mapfile -t args <<< "${listing}"
  lambda-release "${args[@]}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
