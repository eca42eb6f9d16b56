#!/usr/bin/env bash
# sam build, through the helper so that the deploy step uses exactly this
# build output (.aws-sam/build). No --use-container: a Docker executor has no
# daemon; the SAM build image already has the runtime.
#   LR_STR_TEMPLATE          the template (default template.yaml)
#   LR_STR_EXTRA_BUILD_ARGS  extra `sam build` arguments, ONE ARGUMENT PER LINE,
#                            taken verbatim (no quotes, no splitting on spaces,
#                            blank lines ignored): "--cached" / "--parallel" or
#                            "--build-dir" and ".aws-sam/x" on two lines.

lr_lines() {
  # Prints each non-blank line of $1 as one argument (a trailing CR is dropped).
  local line
  while IFS= read -r line || [ -n "${line}" ]; do
    line="${line%$'\r'}"
    [ -n "${line//[[:space:]]/}" ] && printf '%s\n' "${line}"
  done <<< "$1"
  return 0
}

main() {
  local template="${LR_STR_TEMPLATE:-template.yaml}"
  if [ ! -f "${template}" ]; then
    echo "lambda-release/build: template ${template} not found in $(pwd); set the template parameter (or working_directory)" >&2
    return 2
  fi
  local -a extra=()
  mapfile -t extra < <(lr_lines "${LR_STR_EXTRA_BUILD_ARGS:-}")
  local -a args=(build "--template-file=${template}")
  local item
  for item in "${extra[@]}"; do
    # --sam-arg=VALUE, never "--sam-arg VALUE": a value starting with "--" must
    # not be mistaken for an option of the helper.
    args+=("--sam-arg=${item}")
  done
  lambda-release "${args[@]}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
