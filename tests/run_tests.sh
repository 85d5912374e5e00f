#!/usr/bin/env bash
# Sets up both stacks from requirements.txt (when missing) and runs the tests
# under each: TF 2.x on python3 (3.10+), TF 1.15.0 on Python 3.7 via pyenv.
#   bash tests/run_tests.sh            # both stacks
#   bash tests/run_tests.sh -k loader  # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

py37=${TEXTCNN_PY37:-3.7.16}

make_venv() {  # make_venv DIR PYTHON...
    local dir=$1; shift
    if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c 'import tensorflow, sklearn, pytest, hypothesis' 2>/dev/null; then
        echo "== setting up $dir"
        rm -rf "$dir"
        "$@" -m venv "$dir"
        "$dir/bin/python" -m pip install -q -U pip
        "$dir/bin/python" -m pip install -q -r requirements.txt -r requirements-dev.txt
    fi
}

make_venv .venv python3
make_venv .venv37 env PYENV_VERSION="$py37" python

export TEXTCNN_TF2_PYTHON=$PWD/.venv/bin/python
export TEXTCNN_TF1_PYTHON=$PWD/.venv37/bin/python

echo "== TF 2.x ($("$TEXTCNN_TF2_PYTHON" --version 2>&1))"
"$TEXTCNN_TF2_PYTHON" -m pytest -q -p no:cacheprovider tests "$@"
echo "== TF 1.15.0 ($("$TEXTCNN_TF1_PYTHON" --version 2>&1))"
"$TEXTCNN_TF1_PYTHON" -m pytest -q -p no:cacheprovider tests "$@"
