#!/usr/bin/env bash
# factgraph's benchmark: our commands and the peers (pyoxigraph, rdflib, Morph-KGC) side by side.
#
#   bench/run.sh            the full benchmark: 1k, 10k and 100k articles (about two hours on 2 cores);
#                           writes bench/results/<date>-<commit>.txt and .tsv
#   bench/run.sh --smoke    the CI check: 20 articles, one run of everything, every peer's quads
#                           compared with ours; exits 1 on a difference or a failed command.
#                           No timings are asserted. Under two minutes once factgraph is built.
#   bench/run.sh --scale [OPTIONS]
#                           the scale benchmark (bench/scale.py; about half an hour on 2 cores, and disk for a
#                           4 GB dump and a 20 M-item index): the Wikidata index at 1 M items from a file
#                           (plain and gzipped, beside `gzip -dc` alone) and at 1 M, 5 M and 20 M items
#                           streamed from tools/scale_dump.py, then link at 1k, 10k and 100k articles
#                           against the largest index and the seed article; writes
#                           bench/results/scale-<date>-<commit>.md. OPTIONS: --streamed 1M,5M --bz2
#                           --articles 1k,10k --store 100000=DIR ... (see bench/scale.py --help)
#   bench/run.sh [OPTIONS]  any option of bench/bench.py (--sizes, --runs, ...; see --help)
#
# It builds factgraph in release mode, installs /usr/bin/time (Debian package `time`) if missing,
# and installs the peers from PyPI into two virtual environments under bench/work/ (pyoxigraph 0.5 +
# rdflib; Morph-KGC 2.10, which pins pyoxigraph < 0.4). Generated data, stores and logs go to
# bench/work/ too (git-ignored). Don't run two benchmarks at once.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=bench
work="$bench/work"
python="${PYTHON:-python3}"

smoke=0
scale=0
args=()
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    --scale) scale=1 ;;
    *) args+=("$arg") ;;
  esac
done

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (/usr/bin/time)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed" >&2; exit 2; }

cargo build --release --quiet
if [ "$scale" = 1 ]; then
  exec "$python" "$bench/scale.py" ${args[@]+"${args[@]}"}
fi

# A virtual environment per requirements file, rebuilt when the file changes.
venv() {
  local name="$1" requirements="$2"
  if [ ! -x "$work/$name/bin/python" ] || ! cmp -s "$requirements" "$work/$name/requirements.txt"; then
    echo "installing $requirements into $work/$name" >&2
    rm -rf "${work:?}/$name"
    "$python" -m venv "$work/$name"
    "$work/$name/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$work/$name/requirements.txt"
  fi
}
mkdir -p "$work"
venv venv-oxi "$bench/requirements-oxigraph.txt"
venv venv-morph "$bench/requirements-morph.txt"

if [ "$smoke" = 1 ]; then
  exec "$python" "$bench/bench.py" --sizes 20 --runs 1 --equivalence-max 20 --query-min 20 \
    --rdflib-max 20 --morph-max 20 --turtle-peer-max 20 --strict --out "$work/smoke" ${args[@]+"${args[@]}"}
fi
out="$bench/results/$(date +%Y-%m-%d)-$(git rev-parse --short HEAD)"
exec "$python" "$bench/bench.py" --out "$out" ${args[@]+"${args[@]}"}
