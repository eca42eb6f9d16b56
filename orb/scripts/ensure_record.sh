#!/usr/bin/env bash
# Runs with `when: always`: a release that failed before the helper wrote its
# record still leaves a record file behind, saying so, for store_artifacts.
#   LR_STR_RECORD_FILE  the record the deploy or rollback step should have written

main() {
  local record="${LR_STR_RECORD_FILE:?lambda-release/store_record: record_file is empty; give the path the deploy step wrote}"
  mkdir -p "$(dirname "${record}")"
  if [ -s "${record}" ]; then
    echo "release record: ${record}"
    cat "${record}"
    return 0
  fi
  # Written with printf and fixed text only: no value from outside is interpolated
  # except CircleCI's own job URL, which is JSON-safe.
  printf '{"outcome": "unknown", "reason": "the job stopped before the helper wrote a release record; see the job log", "job_url": "%s"}\n' \
    "${CIRCLE_BUILD_URL:-}" > "${record}"
  echo "no release record was written; stored a placeholder at ${record}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
