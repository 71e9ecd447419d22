#!/usr/bin/env bash
# Installs what the tests need, builds once, runs every test suite and the format check, and
# ends with one line: "tests: N passed, N failed, N skipped". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

configuration="${CONFIGURATION:-Release}"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

log() { printf '\n== %s\n' "$*"; }

install_missing() {
  local packages=()
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || packages+=(postgresql)
  /usr/bin/python3 -c 'import aiosmtpd' 2> /dev/null || packages+=(python3-aiosmtpd)
  [ ${#packages[@]} -eq 0 ] && return 0
  log "installing ${packages[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"
}

passed=0 failed=0 skipped=0

# Adds the counts of one `dotnet test` run; a run that printed no summary counts as one failure.
count() {
  local output="$1" summary
  summary="$(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$output" | tail -1)"
  if [ -z "$summary" ]; then
    failed=$((failed + 1))
    return
  fi
  failed=$((failed + $(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<< "$summary")))
  passed=$((passed + $(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<< "$summary")))
  skipped=$((skipped + $(sed -E 's/.*Skipped: +([0-9]+),.*/\1/' <<< "$summary")))
}

install_missing || { echo "could not install the test prerequisites"; failed=$((failed + 1)); }

log "build ($configuration)"
if ! dotnet build Layan.slnx -c "$configuration" -nologo -clp:ErrorsOnly -warnaserror; then
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

for project in tests/Layan.Tests tests/Layan.Browser; do
  log "test $project"
  output="$results/$(basename "$project").log"
  dotnet test "$project" -c "$configuration" --no-build -nologo 2>&1 | tee "$output"
  status=${PIPESTATUS[0]}
  count "$output"
  # A run that failed without reporting a failed test (a crashed test host) still fails.
  if [ "$status" -ne 0 ] && ! grep -qE 'Failed! +- Failed: +[1-9]' "$output"; then
    echo "$project: dotnet test exited with $status"
    failed=$((failed + 1))
  fi
done

log "format"
if dotnet format Layan.slnx --verify-no-changes --no-restore -v quiet; then
  echo "format: clean"
else
  echo "format: files need 'dotnet format' (see above)"
  failed=$((failed + 1))
fi

echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
