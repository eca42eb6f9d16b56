#!/usr/bin/env bash
# Static guardrails on the SAM template before anything is built: production
# must never call $LATEST, canaries need alarms, names must differ per stack.
#   LR_STR_TEMPLATE  the template (default template.yaml)

main() {
  local template="${LR_STR_TEMPLATE:-template.yaml}"
  if [ ! -f "${template}" ]; then
    echo "lambda-release/check: template ${template} not found in $(pwd); set the template parameter (or working_directory)" >&2
    return 2
  fi
  lambda-release check "${template}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
