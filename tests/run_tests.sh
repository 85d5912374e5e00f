#!/usr/bin/env bash
# Sets up both stacks from requirements.txt (when missing) and runs the tests
# under each: TF 2.x on python3 (3.10+), TF 1.15.0 on Python 3.7 via pyenv.
#   bash tests/run_tests.sh            # both stacks
#   bash tests/run_tests.sh -k loader  # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup_env.sh

make_venv .venv requirements.txt requirements-dev.txt -- python3
make_venv .venv37 requirements.txt requirements-dev.txt -- env PYENV_VERSION="${TEXTCNN_PY37:-3.7.16}" python

export TEXTCNN_TF2_PYTHON=$PWD/.venv/bin/python
export TEXTCNN_TF1_PYTHON=$PWD/.venv37/bin/python

status=0
echo "== TF 2.x ($("$TEXTCNN_TF2_PYTHON" --version 2>&1))"
"$TEXTCNN_TF2_PYTHON" -m pytest -q -p no:cacheprovider tests "$@" || status=1
echo "== TF 1.15.0 ($("$TEXTCNN_TF1_PYTHON" --version 2>&1))"
"$TEXTCNN_TF1_PYTHON" -m pytest -q -p no:cacheprovider tests "$@" || status=1
exit $status
