#!/usr/bin/env bash
# Create .venv with the Python version pinned in .python-version (3.10: Rasa 3.6 runs on 3.8-3.10).
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(tr -d '[:space:]' < .python-version)   # e.g. 3.10.13
minor=${want%.*}                               # e.g. 3.10

is_wanted() { "$1" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$minor'.split('.'))))" 2>/dev/null; }

python=""
candidates=("python$minor" python3 python)
if command -v pyenv >/dev/null 2>&1; then
  candidates+=("$(pyenv root)/versions/$want/bin/python" "$(pyenv root)/versions/$minor/bin/python")
fi
for candidate in "${candidates[@]}"; do
  if command -v "$candidate" >/dev/null 2>&1 && is_wanted "$candidate"; then
    python=$candidate
    break
  fi
done

if [ -z "$python" ]; then
  echo "error: Python $minor is required (Rasa 3.6 supports Python 3.8-3.10 only) and none was found." >&2
  echo "       Install it, e.g. 'pyenv install $want', then run make again." >&2
  exit 1
fi

echo "Creating .venv with $("$python" --version) ($python)"
"$python" -m venv .venv
