#!/usr/bin/env bash
# Runs every fuzz target listed in fuzz/Cargo.toml for SECONDS each and fails on
# any crash.   Usage: fuzz/run.sh SECONDS [TARGET ...]
#
# cargo-fuzz needs nightly flags (-Zsanitizer); RUSTC_BOOTSTRAP=1 lets this
# machine's stable toolchain accept them. New inputs go to a scratch directory so
# the committed seed corpus (fuzz/corpus/<target>) is read but not flooded.
set -uo pipefail
cd "$(dirname "$0")"

seconds="${1:-}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh SECONDS [TARGET ...]" >&2
  exit 2
fi
shift

export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked || exit 1
fi

all_targets=$(sed -n 's/^name = "\(.*\)"/\1/p' Cargo.toml | grep -v '^finconnect-fuzz$')
targets=("$@")
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<<"$(echo $all_targets)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
declare -A result execs
failed=0
for t in "${targets[@]}"; do
  if [ ! -f "fuzz_targets/$t.rs" ]; then
    result[$t]="missing"; execs[$t]="-"; failed=1; continue
  fi
  mkdir -p "$scratch/$t" "corpus/$t" artifacts
  log="$scratch/$t.log"
  echo "== fuzzing $t for ${seconds}s"
  if cargo fuzz run "$t" "$scratch/$t" "corpus/$t" -- \
      -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    result[$t]="ok"
  else
    result[$t]="CRASH"; failed=1
    tail -40 "$log"
  fi
  n=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  [ -n "$n" ] || n=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  execs[$t]="${n:-?}"
done

printf '\n%-20s %-8s %s\n' target result executions
for t in "${targets[@]}"; do
  printf '%-20s %-8s %s\n' "$t" "${result[$t]}" "${execs[$t]}"
done
exit $failed
