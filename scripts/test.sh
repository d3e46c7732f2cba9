#!/usr/bin/env bash
# rtcam's whole test suite: what CI runs (.ci/run) and what a developer runs before
# pushing. Works on a fresh Debian 12 machine with rustup's stable Rust: it first
# installs what is missing (scripts/install.sh), then runs, stopping at the first failure:
#
#   lint   cargo fmt --check and cargo clippy -D warnings (workspace and fuzz/)
#   host   the workspace's tests (cargo nextest if present, else cargo test) + doctests
#   nostd  every protocol crate builds for mipsel-unknown-none with core only (no alloc)
#   mips   the protocol crates' unit and integration tests under qemu-mipsel
#   fuzz   a short run of every cargo-fuzz target (FUZZ_SECONDS each, default 5)
#
#   scripts/test.sh [--long] [--no-install] [STAGE...]
#     STAGE...      run only these stages (default: all, in the order above)
#     --long        fuzz longer (FUZZ_SECONDS defaults to 300 per target) and keep the
#                   new inputs in fuzz/corpus/TARGET (the smoke run throws them away)
#     --no-install  skip scripts/install.sh
#   FUZZ_SECONDS=N  seconds per fuzz target (0: only replay the corpus)
#   FUZZ_TOOLCHAIN  `nightly` (default when rustup has one) or `stable` (RUSTC_BOOTSTRAP=1)
set -euo pipefail

# The comment block above.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$here/test.sh"; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

ALL_STAGES=(lint host nostd mips fuzz)
long=0
install=1
stages=()
for arg in "$@"; do
  case "$arg" in
    --long) long=1 ;;
    --no-install) install=0 ;;
    -h | --help)
      usage
      exit 0
      ;;
    lint | host | nostd | mips | fuzz) stages+=("$arg") ;;
    *)
      echo "test.sh: unknown argument '$arg'" >&2
      usage >&2
      exit 2
      ;;
  esac
done
[ "${#stages[@]}" -gt 0 ] || stages=("${ALL_STAGES[@]}")

if [ -z "${FUZZ_SECONDS:-}" ]; then
  if [ "$long" -eq 1 ]; then FUZZ_SECONDS=300; else FUZZ_SECONDS=5; fi
fi
case "$FUZZ_SECONDS" in
  '' | *[!0-9]*)
    echo "test.sh: FUZZ_SECONDS must be a number of seconds" >&2
    exit 2
    ;;
esac

# rustup's cargo, and what `cargo install` puts beside it (cargo-fuzz).
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
if [ -d "$cargo_bin" ] && [[ ":$PATH:" != *":$cargo_bin:"* ]]; then
  export PATH="$cargo_bin:$PATH"
fi
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

logdir="$(mktemp -d "${TMPDIR:-/tmp}/rtcam-test.XXXXXX")"

# ---------------------------------------------------------------------------------------
# Stage bookkeeping: a header per stage, its time, a table at the end (or on failure).

timings=()
current=""
stage_start=0
run_start=$SECONDS

header() {
  printf '\n==== %s ====\n' "$*"
}

begin() {
  current="$1"
  stage_start=$SECONDS
  printf '\n'
  printf '#%.0s' {1..88}
  printf '\n## stage %s: %s\n' "$1" "$2"
  printf '#%.0s' {1..88}
  printf '\n'
}

end() {
  local took=$((SECONDS - stage_start))
  timings+=("$(printf '%-8s %5ds  ok' "$current" "$took")")
  printf '## stage %s: ok (%ds)\n' "$current" "$took"
  current=""
}

print_timings() {
  printf '\nstage    time\n'
  local t
  for t in "${timings[@]}"; do printf '%s\n' "$t"; done
}

on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    if [ -n "$current" ]; then
      timings+=("$(printf '%-8s %5ds  FAILED' "$current" $((SECONDS - stage_start)))")
    fi
    print_timings
    printf '\ntest.sh: FAILED in stage %s (exit %d) after %ds\n' \
      "${current:-setup}" "$rc" $((SECONDS - run_start))
  fi
  rm -rf "$logdir"
}
trap on_exit EXIT

# Runs a command with its output both shown and kept in $logdir/$1.log.
logged() {
  local log="$logdir/$1.log"
  shift
  printf '+ %s\n' "$*"
  "$@" 2>&1 | tee -a "$log"
}

# Sums a number captured by a sed expression over a log.
sum_of() {
  local total=0 n
  while read -r n; do total=$((total + n)); done < <(sed -n -E "$2" "$1" 2>/dev/null || true)
  echo "$total"
}

# cargo test: "test result: ok. 14 passed; 0 failed; 2 ignored; ..."
passed_cargo() { sum_of "$1" 's/^test result: [a-zA-Z]+\. ([0-9]+) passed;.*/\1/p'; }
ignored_cargo() { sum_of "$1" 's/^test result: .* ([0-9]+) ignored;.*/\1/p'; }
# nextest: "     Summary [   1.234s] 57 tests run: 57 passed, 2 skipped"
passed_nextest() { sum_of "$1" 's/^ *Summary .* ([0-9]+) passed.*/\1/p'; }
skipped_nextest() { sum_of "$1" 's/^ *Summary .* ([0-9]+) skipped.*/\1/p'; }

total_passed=0
total_skipped=0
counts=()

# ---------------------------------------------------------------------------------------
# Setup

if [ "$install" -eq 1 ]; then
  current=install
  stage_start=$SECONDS
  header "install: Debian packages, rustfmt/clippy, cargo-fuzz (scripts/install.sh)"
  "$here/install.sh"
  timings+=("$(printf '%-8s %5ds  ok' install $((SECONDS - stage_start)))")
  current=""
fi

header "toolchains"
cargo --version
rustc --version
if [ -x /usr/bin/rustc ]; then
  printf '%s (Debian, for MIPS)\n' "$(/usr/bin/rustc --version)"
fi
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest --version 2>/dev/null | sed -n 1p || true
fi
cargo fuzz --version 2>/dev/null || true

want() {
  local s
  for s in "${stages[@]}"; do [ "$s" = "$1" ] && return 0; done
  return 1
}

# ---------------------------------------------------------------------------------------
# 1. lint

if want lint; then
  begin lint "cargo fmt --check, cargo clippy -D warnings (workspace with all features, and fuzz/)"
  header "cargo fmt --all --check"
  cargo fmt --all --check
  header "cargo fmt --check (fuzz/)"
  cargo fmt --manifest-path fuzz/Cargo.toml --check
  header "cargo clippy --workspace --all-targets --all-features -- -D warnings"
  cargo clippy --workspace --all-targets --all-features -- -D warnings
  header "cargo clippy --all-targets -- -D warnings (fuzz/)"
  cargo clippy --manifest-path fuzz/Cargo.toml --all-targets -- -D warnings
  end
fi

# ---------------------------------------------------------------------------------------
# 2. host tests

if want host; then
  begin host "workspace tests on $(rustc -vV | sed -n 's/^host: //p')"
  if command -v cargo-nextest >/dev/null 2>&1; then
    header "cargo nextest run --workspace --all-features"
    logged host cargo nextest run --workspace --all-features
    p=$(passed_nextest "$logdir/host.log")
    s=$(skipped_nextest "$logdir/host.log")
  else
    header "cargo test --workspace --all-features (cargo-nextest not installed)"
    logged host cargo test --workspace --all-features --lib --bins --tests
    p=$(passed_cargo "$logdir/host.log")
    s=$(ignored_cargo "$logdir/host.log")
  fi
  header "cargo test --workspace --all-features --doc"
  logged doc cargo test --workspace --all-features --doc
  d=$(passed_cargo "$logdir/doc.log")
  total_passed=$((total_passed + p + d))
  total_skipped=$((total_skipped + s + $(ignored_cargo "$logdir/doc.log")))
  counts+=("host: $p tests + $d doctests passed")
  end
fi

# ---------------------------------------------------------------------------------------
# 3. no_std proof

if want nostd; then
  begin nostd "protocol crates build for mipsel-unknown-none, core only (Debian rustc)"
  /usr/bin/rustc --version
  logged nostd "$here/mips.sh" nostd
  end
fi

# ---------------------------------------------------------------------------------------
# 4. MIPS tests under qemu

if want mips; then
  begin mips "protocol crates' tests on mipsel-unknown-linux-gnu under qemu-mipsel"
  logged mips "$here/mips.sh" test
  m=$(passed_cargo "$logdir/mips.log")
  total_passed=$((total_passed + m))
  total_skipped=$((total_skipped + $(ignored_cargo "$logdir/mips.log")))
  counts+=("mips: $m tests passed under qemu-mipsel")
  end
fi

# ---------------------------------------------------------------------------------------
# 5. fuzz smoke run

if want fuzz; then
  begin fuzz "every cargo-fuzz target for ${FUZZ_SECONDS}s"
  toolchain="${FUZZ_TOOLCHAIN:-}"
  if [ -z "$toolchain" ]; then
    if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
      toolchain=nightly
    else
      toolchain=stable
    fi
  fi
  if [ "$toolchain" = nightly ]; then
    fuzz=(cargo +nightly fuzz)
  else
    # -Zsanitizer and friends on the stable compiler.
    fuzz=(env RUSTC_BOOTSTRAP=1 cargo fuzz)
  fi
  printf 'fuzzing with: %s\n' "${fuzz[*]}"
  mapfile -t targets < <("${fuzz[@]}" list --fuzz-dir fuzz)
  [ "${#targets[@]}" -gt 0 ] || {
    echo "no fuzz targets found" >&2
    exit 1
  }
  header "cargo fuzz build (${targets[*]})"
  "${fuzz[@]}" build --fuzz-dir fuzz
  if [ "$FUZZ_SECONDS" -eq 0 ]; then
    limit=(-runs=0) # replay the corpus only
  else
    limit=(-max_total_time="$FUZZ_SECONDS")
  fi
  fuzz_runs=0
  for t in "${targets[@]}"; do
    header "fuzz $t (${FUZZ_SECONDS}s)"
    corpus="fuzz/corpus/$t"
    mkdir -p "$corpus"
    if [ "$long" -eq 1 ]; then
      dirs=("$corpus")
    else
      # New inputs go to a scratch directory; the seeds are only read.
      mkdir -p "$logdir/corpus-$t"
      dirs=("$logdir/corpus-$t" "$corpus")
    fi
    log="$logdir/fuzz-$t.log"
    if ! "${fuzz[@]}" run --fuzz-dir fuzz "$t" "${dirs[@]}" -- \
      "${limit[@]}" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
      >"$log" 2>&1; then
      cat "$log"
      crash="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)"
      if [ -n "$crash" ] && [ -f "$crash" ]; then
        # CI keeps only the log: show the input itself (first 4 KiB).
        printf '\nfailing input %s (%d bytes), hex:\n' "$crash" "$(wc -c <"$crash")"
        head -c 4096 "$crash" | od -An -tx1 -v
      fi
      echo "fuzz target $t failed; reproduce with: cargo fuzz run $t ${crash:-fuzz/artifacts/$t/...}" >&2
      exit 1
    fi
    # The build and libFuzzer's closing lines, without the recommended dictionary.
    grep -E '^ *(Compiling|Finished|Running)|INFO: (Seed|Loaded)|#[0-9]+.*(INITED|DONE)|^Done |^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$log" || true
    n=$(sed -n -E 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
    fuzz_runs=$((fuzz_runs + ${n:-0}))
  done
  counts+=("fuzz: ${#targets[@]} targets, $fuzz_runs inputs, no crash")
  end
fi

# ---------------------------------------------------------------------------------------

print_timings
printf '%-8s %5ds\n' total $((SECONDS - run_start))
printf '\n'
for c in "${counts[@]}"; do printf '%s\n' "$c"; done
if want host || want mips; then
  # The plain closing line CI reads: every test that ran, on the host and on MIPS.
  printf 'tests: %d passed, 0 failed, %d skipped\n' "$total_passed" "$total_skipped"
fi
printf 'test.sh: all stages passed (%s)\n' "${stages[*]}"
