#!/usr/bin/env bash
# Runs every fuzz target listed in fuzz/Cargo.toml for SECONDS each and fails on
# any crash.   Usage: fuzz/run.sh SECONDS [TARGET ...]
#
# cargo-fuzz needs nightly flags (-Zsanitizer); RUSTC_BOOTSTRAP=1 lets this
# machine's stable toolchain accept them. The targets are built with `cargo fuzz
# build` and the binaries run directly with a scratch directory first: libFuzzer
# writes new inputs to its first corpus directory, so the committed seed corpus
# (fuzz/corpus/<target>) is read but not flooded (`cargo fuzz run` would put it
# first). The summary gives each target's executions and executions per second.
#
# FUZZ_SANITIZER picks cargo fuzz's sanitizer (default `none`). The crates under
# test forbid `unsafe`, so what fuzzing finds here is panics and broken
# invariants, which need no sanitizer; AddressSanitizer makes every target about
# ten times slower. Run `FUZZ_SANITIZER=address fuzz/run.sh SECONDS` now and then
# to also check the dependencies' unsafe code.
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

sanitizer="${FUZZ_SANITIZER:-none}"
# Cheaper AddressSanitizer bookkeeping when it is on (no fake stacks, no malloc
# stack traces): still catches every invalid access.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_stack_use_after_return=0:malloc_context_size=0}"
triple=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="$CARGO_TARGET_DIR/$triple/release"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
declare -A result execs rate
failed=0
for t in "${targets[@]}"; do
  if [ ! -f "fuzz_targets/$t.rs" ]; then
    result[$t]="missing"; execs[$t]="-"; rate[$t]="-"; failed=1; continue
  fi
  mkdir -p "$scratch/$t" "corpus/$t" artifacts/"$t"
  log="$scratch/$t.log"
  echo "== building $t"
  if ! cargo fuzz build --sanitizer "$sanitizer" "$t" >"$log" 2>&1; then
    result[$t]="BUILD"; execs[$t]="-"; rate[$t]="-"; failed=1
    tail -40 "$log"; continue
  fi
  echo "== fuzzing $t for ${seconds}s"
  if "$bin_dir/$t" "$scratch/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" \
      -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    result[$t]="ok"
  else
    result[$t]="CRASH"; failed=1
    tail -40 "$log"
  fi
  n=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  [ -n "$n" ] || n=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  r=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  [ -n "$r" ] || r=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  execs[$t]="${n:-?}"
  rate[$t]="${r:-?}"
done

printf '\n(sanitizer: %s)\n%-20s %-8s %12s %10s\n' "$sanitizer" target result executions exec/s
for t in "${targets[@]}"; do
  printf '%-20s %-8s %12s %10s\n' "$t" "${result[$t]}" "${execs[$t]}" "${rate[$t]}"
done
exit $failed
