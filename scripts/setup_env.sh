#!/usr/bin/env bash
# Creates the virtual environments from requirements.txt when they are
# missing or broken; sourced by demo.sh and tests/run_tests.sh.
#   TF 2.x:    .venv    (python3, 3.10 or newer)
#   TF 1.15.0: .venv37  (Python 3.7 through pyenv; TEXTCNN_PY37 names the version)

make_venv() {  # make_venv DIR REQUIREMENTS_FILES... -- PYTHON_COMMAND...
    local dir=$1; shift
    local reqs=()
    while [ "$1" != "--" ]; do reqs+=(-r "$1"); shift; done
    shift
    local probe='import tensorflow, sklearn, matplotlib'
    [ "${#reqs[@]}" -le 2 ] || probe="$probe, pytest, hypothesis"
    if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "$probe" 2>/dev/null; then
        return 0
    fi
    echo "== setting up $dir with $("$@" --version 2>&1)"
    rm -rf "$dir"
    "$@" -m venv "$dir"
    "$dir/bin/python" -m pip install -q -U pip
    "$dir/bin/python" -m pip install -q "${reqs[@]}"
}
