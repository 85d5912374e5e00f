# Shared by run_npu_1p_acc.sh and run_npu_1p_perf.sh: flags, environment,
# the training (and test) run, the log and the summary. Sourced, not run;
# the caller sets NPU_ROOT (the project folder) and calls npu_main acc|perf.
#
# Every number in the summary comes from run_cnn.py's metrics JSON files,
# written by report.py summary; nothing is measured or derived here.

NPU_PERF_STEPS_DEFAULT=600   # about a minute at batch 64 on a 2-core CPU

npu_usage() {  # npu_usage KIND
    local kind=$1 what flags outputs
    if [ "$kind" = acc ]; then
        what='Accuracy run: trains TextCNN until early stop or the epoch limit, keeps
the best checkpoint by validation accuracy, then scores it on the test file.'
        flags='  --num_epochs N         epoch limit (default 10)
  --max_steps N          stop after N steps, for smoke tests (default 0: no cap)'
        outputs='train.log, test.log, losses.tsv (the loss of every step),
train_metrics.json, test_metrics.json'
    else
        what='Performance run: trains TextCNN for a fixed number of steps and reports
the throughput of the timed steps (warm-up and validation not counted).'
        flags="  --steps N              training steps to run (default $NPU_PERF_STEPS_DEFAULT)"
        outputs='train.log, losses.tsv (the loss of every step), train_metrics.json'
    fi
    cat <<USAGE
Usage: run_npu_1p_$kind.sh [--flag=value | --flag value]...

$what

Flags:
  --data_path DIR        cnews folder: cnews.{train,val,test}.txt, cnews.vocab.txt
                         (default data/cnews)
  --batch_size N         training batch (default 64)
  --precision_mode MODE  NPU precision: allow_fp32_to_fp16 (NPU default),
                         allow_mix_precision, force_fp32, must_keep_origin_dtype
  --output_dir DIR       where everything goes (default output/\$ASCEND_DEVICE_ID)
  --device D             auto (NPU, else GPU, else CPU), npu, gpu or cpu
                         (default auto)
  --seed N               seed for initialisation, dropout and shuffling
                         (default: a random one, logged)
  --print_per_batch N    steps between validation runs and Iter lines (default 100)
  --warmup_steps N       first steps left out of the timing (default 5)
$flags
  -h, --help             this help

Environment: PYTHON (interpreter, default python3), ASCEND_DEVICE_ID (card,
default 0), RANK_SIZE (cards in the job, default 1), RANK_ID (default 0),
JOB_ID (passed on to the Ascend runtime).

Outputs, in the output folder: run_$kind.log (all the run printed),
$outputs, checkpoints/, tensorboard/, and the summary
TextCNN_bs<batch>_<ranks>p_$kind.log (key = value lines). A run first removes
these outputs of an earlier run in the same folder.

Exit status: 0 done, 2 bad input, 3 NaN loss, 128+N stopped by signal N.
USAGE
}

npu_die() {  # npu_die MESSAGE [STATUS]
    echo "error: $1" >&2
    exit "${2:-2}"
}

npu_require_int() {  # npu_require_int FLAG VALUE MIN
    [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] ||
        npu_die "$1 is '$2'; it must be an integer >= $3 (see --help)"
}

npu_parse_args() {  # npu_parse_args KIND ARGS...; sets the NPU_* settings
    local kind=$1; shift
    NPU_DATA_PATH=data/cnews
    NPU_BATCH_SIZE=64
    NPU_PRECISION_MODE=
    NPU_OUTPUT_DIR=output/$ASCEND_DEVICE_ID
    NPU_DEVICE=auto
    NPU_SEED=
    NPU_PRINT_PER_BATCH=100
    NPU_WARMUP_STEPS=5
    NPU_NUM_EPOCHS=10
    NPU_MAX_STEPS=0
    NPU_STEPS=$NPU_PERF_STEPS_DEFAULT
    local flag value
    while [ $# -gt 0 ]; do
        case $1 in
            -h|--help) npu_usage "$kind"; exit 0 ;;
            --*=*) flag=${1%%=*}; value=${1#*=}; shift ;;
            --*)
                flag=$1
                [ $# -ge 2 ] || npu_die "$flag needs a value (see --help)"
                value=$2; shift 2 ;;
            *) npu_die "unexpected argument '$1'; flags look like --name=value (see --help)" ;;
        esac
        case $kind:$flag in
            *:--data_path) NPU_DATA_PATH=$value ;;
            *:--batch_size) NPU_BATCH_SIZE=$value ;;
            *:--precision_mode) NPU_PRECISION_MODE=$value ;;
            *:--output_dir) NPU_OUTPUT_DIR=$value ;;
            *:--device) NPU_DEVICE=$value ;;
            *:--seed) NPU_SEED=$value ;;
            *:--print_per_batch) NPU_PRINT_PER_BATCH=$value ;;
            *:--warmup_steps) NPU_WARMUP_STEPS=$value ;;
            acc:--num_epochs) NPU_NUM_EPOCHS=$value ;;
            acc:--max_steps) NPU_MAX_STEPS=$value ;;
            perf:--steps) NPU_STEPS=$value ;;
            *) npu_die "unknown flag $flag for run_npu_1p_$kind.sh (see --help)" ;;
        esac
    done
    npu_require_int --batch_size "$NPU_BATCH_SIZE" 1
    NPU_BATCH_SIZE=$((10#$NPU_BATCH_SIZE))  # as Python reads it: 064 is 64
    npu_require_int --print_per_batch "$NPU_PRINT_PER_BATCH" 1
    npu_require_int --warmup_steps "$NPU_WARMUP_STEPS" 0
    [ -z "$NPU_SEED" ] || npu_require_int --seed "$NPU_SEED" 0
    if [ "$kind" = acc ]; then
        npu_require_int --num_epochs "$NPU_NUM_EPOCHS" 1
        npu_require_int --max_steps "$NPU_MAX_STEPS" 0
    else
        npu_require_int --steps "$NPU_STEPS" $((NPU_WARMUP_STEPS + 1))
    fi
    [ -n "$NPU_DATA_PATH" ] || npu_die "--data_path is empty"
    [ -d "$NPU_DATA_PATH" ] || npu_die "data path not found: $NPU_DATA_PATH (a folder \
with cnews.train.txt, cnews.val.txt, cnews.test.txt and cnews.vocab.txt; pass --data_path)"
    [ -n "$NPU_OUTPUT_DIR" ] || npu_die "--output_dir is empty"
}

npu_check_env() {  # checks the Ascend job variables and the interpreter
    npu_require_int ASCEND_DEVICE_ID "$ASCEND_DEVICE_ID" 0
    npu_require_int RANK_SIZE "$RANK_SIZE" 1
    npu_require_int RANK_ID "$RANK_ID" 0
    RANK_SIZE=$((10#$RANK_SIZE))
    if [ -n "${JOB_ID:-}" ]; then
        export JOB_ID
    fi
    NPU_PY=${PYTHON:-python3}
    command -v "$NPU_PY" >/dev/null 2>&1 ||
        npu_die "python interpreter '$NPU_PY' not found; set PYTHON"
}

npu_run() {  # npu_run WHAT COMMAND...: appends output to the log; stops on failure
    local what=$1 rc=0; shift
    echo "== $what: $*" >>"$NPU_LOG"
    "$@" >>"$NPU_LOG" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "error: $what failed (exit $rc); last lines of $NPU_LOG:" >&2
        tail -n 25 "$NPU_LOG" >&2
        exit "$rc"
    fi
}

npu_main() {  # npu_main KIND ARGS...
    local kind=$1; shift
    export ASCEND_DEVICE_ID=${ASCEND_DEVICE_ID:-0}
    export RANK_SIZE=${RANK_SIZE:-1}
    export RANK_ID=${RANK_ID:-0}
    npu_parse_args "$kind" "$@"
    npu_check_env
    local out=$NPU_OUTPUT_DIR
    mkdir -p "$out" || npu_die "cannot create --output_dir $out"
    # A fresh run: outputs of an earlier run here would mix into this one.
    rm -rf "$out/checkpoints" "$out/tensorboard"
    rm -f "$out/train.log" "$out/test.log" "$out/losses.tsv" "$out/train_metrics.json" \
        "$out/test_metrics.json" "$out/run_$kind.log" "$out"/TextCNN_bs*_"$kind".log
    NPU_LOG=$out/run_$kind.log

    local common=(--data_path "$NPU_DATA_PATH" --output_dir "$out" --device "$NPU_DEVICE")
    [ -z "$NPU_PRECISION_MODE" ] || common+=(--precision_mode "$NPU_PRECISION_MODE")
    local train=(--batch_size "$NPU_BATCH_SIZE" --print_per_batch "$NPU_PRINT_PER_BATCH"
                 --warmup_steps "$NPU_WARMUP_STEPS")
    [ -z "$NPU_SEED" ] || train+=(--seed "$NPU_SEED")
    if [ "$kind" = acc ]; then
        train+=(--num_epochs "$NPU_NUM_EPOCHS" --max_steps "$NPU_MAX_STEPS")
    else
        # One step per epoch at least, and no early stop: exactly --steps steps.
        train+=(--max_steps "$NPU_STEPS" --num_epochs "$NPU_STEPS"
                --require_improvement "$NPU_STEPS")
    fi

    {
        echo "run_npu_1p_$kind.sh started $(date '+%Y-%m-%d %H:%M:%S') on $(hostname)"
        echo "ASCEND_DEVICE_ID=$ASCEND_DEVICE_ID RANK_SIZE=$RANK_SIZE RANK_ID=$RANK_ID" \
             "JOB_ID=${JOB_ID:-unset} PYTHON=$NPU_PY"
    } >>"$NPU_LOG"
    if [ "$RANK_SIZE" -gt 1 ]; then
        echo "note: RANK_SIZE=$RANK_SIZE: this script runs one process (rank $RANK_ID);" \
             "start one per card with RANK_ID and RANK_TABLE_FILE set" | tee -a "$NPU_LOG" >&2
    fi
    echo "run_npu_1p_$kind.sh: training; log in $NPU_LOG"
    npu_run training "$NPU_PY" "$NPU_ROOT/run_cnn.py" train "${common[@]}" "${train[@]}"
    if [ "$kind" = acc ]; then
        echo "run_npu_1p_$kind.sh: testing the best checkpoint"
        npu_run test "$NPU_PY" "$NPU_ROOT/run_cnn.py" test "${common[@]}"
    fi
    npu_run summary "$NPU_PY" "$NPU_ROOT/report.py" summary "$out" --case "$kind" \
        --rank_size "$RANK_SIZE"
    cat "$out"/TextCNN_bs"$NPU_BATCH_SIZE"_"$RANK_SIZE"p_"$kind".log
    echo "run_npu_1p_$kind.sh: done; outputs in $out"
}
