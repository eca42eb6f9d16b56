#!/usr/bin/env bash
# Release: snapshot the aliases, sam deploy with the alias override, and
# settle the release from what the aliases show; write the record file.
# The target (LAMBDA_RELEASE_STACK / _ALIAS) comes from the target step
# through $BASH_ENV. Parameters (environment variables on the run step; every
# string goes through lr_subst first, so `${CIRCLE_SHA1}` and `$BUCKET` work):
#   LR_STR_PARAMETER_OVERRIDES  SAM's syntax: A=1 B="x y" (lines are spaces too)
#   LR_STR_S3_BUCKET            artifacts bucket; or LR_BOOL_RESOLVE_S3=1
#   LR_STR_CAPABILITIES         capabilities separated by commas and/or spaces
#   LR_STR_REGION               AWS region (default: the environment's)
#   LR_STR_PROFILE_NAME         named AWS profile (default: the environment's credentials)
#   LR_STR_IMAGE_REPOSITORIES   Function=URI pairs for image functions, commas/spaces
#   LR_BOOL_RESOLVE_IMAGE_REPOS let SAM create the image repositories
#   LR_STR_EXTRA_DEPLOY_ARGS    extra `sam deploy` arguments, split by the shell's rules
#   LR_STR_SECRET_PARAMETERS    secret template parameters' names, commas/spaces
#   LR_STR_ALLOW_ROLLED_BACK_CODE a reason to release code a rollback undid (recorded)
#   LR_STR_RECORD_FILE          where to write the release record (JSON); literal, as
#                               store_artifacts and persist_to_workspace take it
#   LR_INT_BAKE_MINUTES         minutes to bake a release that succeeded (0: none); the
#                               helper checks the number (exit 2 naming it)
set -euo pipefail
shopt -s inherit_errexit

# begin lr_common: the same in every script (tests/orb/test_scripts.py compares them)
lr_subst() {
  # $1 with $NAME and ${NAME} replaced by the variable's value (empty when unset): what
  # `circleci env subst` does, used when the executor has the CircleCI CLI, the same
  # rule here otherwise. Only names are looked up: nothing is evaluated or run.
  local out
  if command -v circleci >/dev/null 2>&1 && out="$(printf '%s' "$1" | circleci env subst 2>/dev/null)"; then
    printf '%s' "${out}"
    return 0
  fi
  local text="$1" name=""
  out=""
  while [[ "${text}" == *'$'* ]]; do
    out+="${text%%\$*}"
    text="${text#*\$}"
    if [[ "${text}" =~ ^\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; then
      name="${BASH_REMATCH[1]}"
      text="${text:${#name}+2}"
    elif [[ "${text}" =~ ^[A-Za-z_][A-Za-z0-9_]* ]]; then
      name="${BASH_REMATCH[0]}"
      text="${text:${#name}}"
    else
      out+='$'
      continue
    fi
    out+="${!name-}"
  done
  printf '%s' "${out}${text}"
}

lr_true() {
  # CircleCI writes a boolean parameter into `environment:` as 1 or 0.
  case "${1:-}" in 1|true) return 0 ;; *) return 1 ;; esac
}

lr_split() {
  # $2 split into words by the shell's quoting rules (quotes, backslashes; nothing is
  # expanded or run), one word per line; exit 2 naming parameter $1 when it cannot be.
  python3 -c '
import shlex, sys
name, text = sys.argv[1], sys.argv[2]
try:
    words = shlex.split(text)
except ValueError as exc:
    # Never the text: it may hold a secret substituted from a project variable.
    sys.stderr.write(f"lambda-release: {name} cannot be split into words ({exc}); close the quote or escape it with a backslash\n")
    sys.exit(2)
for word in words:
    if "\n" in word:
        sys.stderr.write(f"lambda-release: {name}: a word holds a line break; no argument may\n")
        sys.exit(2)
    print(word)
' "$1" "$2"
}
# end lr_common

lr_words() {
  # $1 (a parameter's name) $2 (its value): the value split on commas and spaces.
  local -a words=()
  local word
  IFS=$', \t\n' read -r -d '' -a words < <(printf "%s\n" "$2") || true
  for word in "${words[@]}"; do printf '%s\n' "${word}"; done
  return 0
}

lr_deploy_args() {
  # One argument per line; the caller reads them with mapfile.
  local item listing
  printf '%s\n' deploy "--stack=${LAMBDA_RELEASE_STACK}" "--alias=${LAMBDA_RELEASE_ALIAS}"
  # Every user value is joined to its option with "=": a value starting with
  # "-" can never be read as an option, and each value stays one argument.
  local overrides
  overrides="$(lr_subst "${LR_STR_PARAMETER_OVERRIDES:-}")"
  if [ -n "${overrides//[[:space:]]/}" ]; then
    # The helper parses SAM's own syntax and refuses what it cannot read (exit 2).
    overrides="${overrides//$'\r'/}"
    printf '%s\n' "--parameter-overrides=${overrides//$'\n'/ }"
  fi
  local bucket
  bucket="$(lr_subst "${LR_STR_S3_BUCKET:-}")"
  if [ -n "${bucket}" ] && lr_true "${LR_BOOL_RESOLVE_S3:-}"; then
    echo "lambda-release/deploy: set s3_bucket or resolve_s3, not both" >&2
    return 2
  fi
  if [ -n "${bucket}" ]; then printf '%s\n' "--s3-bucket=${bucket}"; fi
  if lr_true "${LR_BOOL_RESOLVE_S3:-}"; then printf '%s\n' --resolve-s3; fi
  while IFS= read -r item; do
    [ -n "${item}" ] && printf '%s\n' "--capabilities=${item}"
  done < <(lr_words capabilities "$(lr_subst "${LR_STR_CAPABILITIES:-}")")
  while IFS= read -r item; do
    [ -n "${item}" ] && printf '%s\n' "--image-repositories=${item}"
  done < <(lr_words image_repositories "$(lr_subst "${LR_STR_IMAGE_REPOSITORIES:-}")")
  if lr_true "${LR_BOOL_RESOLVE_IMAGE_REPOS:-}"; then printf '%s\n' --resolve-image-repos; fi
  while IFS= read -r item; do
    [ -n "${item}" ] && printf '%s\n' "--secret-parameter=${item}"
  done < <(lr_words secret_parameters "$(lr_subst "${LR_STR_SECRET_PARAMETERS:-}")")
  local reason
  reason="$(lr_subst "${LR_STR_ALLOW_ROLLED_BACK_CODE:-}")"
  if [ -n "${reason//[[:space:]]/}" ]; then
    printf '%s\n' "--allow-rolled-back-code=${reason//$'\n'/ }"
  fi
  local region profile record
  region="$(lr_subst "${LR_STR_REGION:-}")"
  profile="$(lr_subst "${LR_STR_PROFILE_NAME:-}")"
  record="${LR_STR_RECORD_FILE:-}"
  if [ -n "${region}" ]; then printf '%s\n' "--region=${region}"; fi
  if [ -n "${profile}" ]; then printf '%s\n' "--profile=${profile}"; fi
  if [ -n "${record}" ]; then printf '%s\n' "--record-file=${record}"; fi
  local bake="${LR_INT_BAKE_MINUTES:-0}"
  if [ -n "${bake}" ] && [ "${bake}" != "0" ]; then printf '%s\n' "--bake=${bake}"; fi
  listing="$(lr_split extra_deploy_args "$(lr_subst "${LR_STR_EXTRA_DEPLOY_ARGS:-}")")" || return 2
  if [ -n "${listing}" ]; then
    while IFS= read -r item; do
      printf '%s\n' "--sam-arg=${item}"
    done < <(printf "%s\n" "${listing}")
  fi
  return 0
}

main() {
  if [ -z "${LAMBDA_RELEASE_STACK:-}" ] || [ -z "${LAMBDA_RELEASE_ALIAS:-}" ]; then
    echo "lambda-release/deploy: no target: run lambda-release/target first (it exports LAMBDA_RELEASE_STACK and LAMBDA_RELEASE_ALIAS)" >&2
    return 2
  fi
  local record
  record="${LR_STR_RECORD_FILE:-}"
  if [ -n "${record}" ]; then
    mkdir -p "$(dirname "${record}")"
  fi
  local -a args=()
  local listing
  listing="$(lr_deploy_args)" || return
  mapfile -t args < <(printf "%s" "${listing}")
  lambda-release "${args[@]}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
