#!/usr/bin/env bash
# Work out the release target from the branch and export it through $BASH_ENV
# (LAMBDA_RELEASE_ENVIRONMENT, _ALIAS, _STACK, _BRANCH) for the later steps.
# Parameters (environment variables on the run step; empty means "not set"):
#   LR_STR_PRODUCTION_BRANCH  branch patterns releasing to production, separated by spaces
#   LR_STR_PROD_ALIAS LR_STR_STAGING_ALIAS LR_STR_STACK_PREFIX
#   LR_STR_PROD_STACK LR_STR_STAGING_STACK
#   LR_ENUM_ENVIRONMENT       auto (from the branch), prod or staging
#   LR_STR_ALIAS LR_STR_STACK explicit alias and stack: skip the branch rule entirely

lr_target_args() {
  # Prints one argument per line; nothing here is split by a shell.
  local pattern
  for pattern in ${LR_STR_PRODUCTION_BRANCH:-}; do
    # Word splitting on spaces is the documented rule; globbing is off (set -f).
    printf '%s\n' "--production-branch=${pattern}"
  done
  [ -n "${LR_STR_PROD_ALIAS:-}" ] && printf '%s\n' "--prod-alias=${LR_STR_PROD_ALIAS}"
  [ -n "${LR_STR_STAGING_ALIAS:-}" ] && printf '%s\n' "--staging-alias=${LR_STR_STAGING_ALIAS}"
  [ -n "${LR_STR_STACK_PREFIX:-}" ] && printf '%s\n' "--stack-prefix=${LR_STR_STACK_PREFIX}"
  [ -n "${LR_STR_PROD_STACK:-}" ] && printf '%s\n' "--prod-stack=${LR_STR_PROD_STACK}"
  [ -n "${LR_STR_STAGING_STACK:-}" ] && printf '%s\n' "--staging-stack=${LR_STR_STAGING_STACK}"
  case "${LR_ENUM_ENVIRONMENT:-auto}" in
    auto|"") ;;
    *) printf '%s\n' "--environment=${LR_ENUM_ENVIRONMENT}" ;;
  esac
  return 0
}

lr_quote() {
  # Single-quote for $BASH_ENV: inside '...' bash expands nothing.
  local q="'\\''"
  printf "'%s'" "${1//\'/${q}}"
}

main() {
  set -f
  if [ -n "${LR_STR_ALIAS:-}" ] || [ -n "${LR_STR_STACK:-}" ]; then
    if [ -z "${LR_STR_ALIAS:-}" ] || [ -z "${LR_STR_STACK:-}" ]; then
      echo "lambda-release/target: alias and stack must be given together (or neither, to use the branch rule)" >&2
      return 2
    fi
    {
      printf 'export LAMBDA_RELEASE_ALIAS=%s\n' "$(lr_quote "${LR_STR_ALIAS}")"
      printf 'export LAMBDA_RELEASE_STACK=%s\n' "$(lr_quote "${LR_STR_STACK}")"
    } >> "${BASH_ENV}"
    echo "explicit target: alias ${LR_STR_ALIAS}, stack ${LR_STR_STACK}"
    return 0
  fi
  if ! command -v lambda-release >/dev/null 2>&1; then
    echo "lambda-release/target: the helper is not on PATH; run lambda-release/install first" >&2
    return 2
  fi
  if [ -z "${CIRCLE_BRANCH:-}" ] && [ "${LR_ENUM_ENVIRONMENT:-auto}" = "auto" ]; then
    echo "lambda-release/target: this pipeline has no branch (a tag build?); set the environment parameter to prod or staging" >&2
    return 2
  fi
  local -a args=()
  mapfile -t args < <(lr_target_args)
  local exports
  exports="$(lambda-release target "${args[@]}")"
  printf '%s\n' "${exports}" >> "${BASH_ENV}"
  printf '%s\n' "${exports}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
