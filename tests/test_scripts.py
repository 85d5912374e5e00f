"""End-to-end tests of run_npu_1p_acc.sh and run_npu_1p_perf.sh on the CPU.

Each training run is a few steps at batch 32 and is shared by the tests of
this module through module-scoped fixtures. The scripts run the project
with $PYTHON, set here to the interpreter running the tests, so that both
stacks (TF 1.15 and TF 2.x) are exercised.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

BATCH = 32
STEPS = 12
SUMMARY_KEYS = ('Network', 'RankSize', 'BatchSize', 'DeviceType', 'CaseName',
                'ActualFPS', 'TrainingTime', 'TrainAccuracy', 'ActualLoss',
                'E2ETrainingTime')


def run_script(kind, args, tmp_cache, cwd=ROOT, env=None):
    """Runs run_npu_1p_KIND.sh ARGS on the CPU; returns the CompletedProcess."""
    full_env = dict(os.environ)
    for name in ('ASCEND_DEVICE_ID', 'RANK_SIZE', 'RANK_ID', 'JOB_ID'):
        full_env.pop(name, None)
    full_env.update({'PYTHON': sys.executable, 'PYTHONUNBUFFERED': '1',
                     'XDG_CACHE_HOME': str(tmp_cache)})
    full_env.update(env or {})
    return subprocess.run(['bash', os.path.join(ROOT, 'run_npu_1p_%s.sh' % kind)]
                          + list(args), cwd=cwd, env=full_env, timeout=600,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)


def read_summary(path):
    pairs = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            key, sep, value = line.rstrip('\n').partition(' = ')
            assert sep, 'not a key = value line: %r' % line
            pairs[key] = value
    return pairs


def small_run(kind, data_path, out, cache, seed, cwd=ROOT, env=None):
    """A short run of a script; fails the test with its output if it fails."""
    args = ['--data_path=%s' % data_path, '--batch_size', str(BATCH),
            '--print_per_batch=4', '--seed=%d' % seed, '--device=cpu']
    args += ['--max_steps=%d' % STEPS] if kind == 'acc' else ['--steps=%d' % STEPS]
    if out is not None:
        args += ['--output_dir', out]
    proc = run_script(kind, args, cache, cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope='module')
def demo_split(tmp_path_factory):
    """A copy of the bundled demo corpus (its vocabulary is built in the copy)."""
    demo = os.path.join(ROOT, 'demo')
    names = ['cnews.%s.txt' % s for s in ('train', 'val', 'test')]
    if not all(os.path.isfile(os.path.join(demo, n)) for n in names):
        pytest.skip('demo corpus not written yet (python3 demo/make_demo.py)')
    folder = str(tmp_path_factory.mktemp('demo'))
    for name in names:
        shutil.copy(os.path.join(demo, name), folder)
    return folder


@pytest.fixture(scope='module')
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp('cache')


@pytest.fixture(scope='module')
def runs(request, tmp_path_factory, cnews_split, cache):
    """Both scripts on the real cnews sample and on the demo corpus, on demand.

    runs(data_name, kind) -> (output folder, CompletedProcess); each run is
    made once per module. The demo perf run uses the default output folder
    (relative to the working directory) and the Ascend variables of a
    2-card job.
    """
    base = tmp_path_factory.mktemp('runs')
    done = {}

    def get(data_name, kind):
        if (data_name, kind) in done:
            return done[data_name, kind]
        data = cnews_split if data_name == 'cnews' else (
            request.getfixturevalue('demo_split'))
        out = str(base / ('%s_%s' % (data_name, kind)))
        if (data_name, kind) == ('demo', 'perf'):
            os.makedirs(out)
            env = {'ASCEND_DEVICE_ID': '3', 'RANK_SIZE': '2', 'JOB_ID': '77'}
            proc = small_run(kind, data, None, cache, 2, cwd=out, env=env)
            out = os.path.join(out, 'output', '3')
        else:
            proc = small_run(kind, data, out, cache, 1)
        done[data_name, kind] = (out, proc)
        return done[data_name, kind]

    return get


ALL_RUNS = [('cnews', 'acc'), ('cnews', 'perf'), ('demo', 'acc'), ('demo', 'perf')]


def _ranks(key):
    return 2 if key == ('demo', 'perf') else 1


@pytest.mark.parametrize('key', ALL_RUNS)
def test_run_writes_log_checkpoints_losses_and_summary(runs, key):
    out, proc = runs(*key)
    kind = key[1]
    case = 'TextCNN_bs%d_%dp_%s' % (BATCH, _ranks(key), kind)
    summary = read_summary(os.path.join(out, case + '.log'))
    expected = [k for k in SUMMARY_KEYS if kind == 'acc' or k != 'TrainAccuracy']
    assert list(summary) == expected
    assert summary['Network'] == 'TextCNN'
    assert summary['CaseName'] == case
    assert summary['BatchSize'] == str(BATCH)
    assert summary['RankSize'] == str(_ranks(key))
    with open(os.path.join(out, 'train_metrics.json')) as f:
        metrics = json.load(f)
    assert summary['DeviceType'] == metrics['backend'] == 'cpu'
    assert metrics['steps'] == STEPS
    assert float(summary['ActualLoss']) == pytest.approx(metrics['final_loss'], abs=1e-4)
    assert float(summary['E2ETrainingTime']) > 0
    # The summary is printed at the end, and the full log holds everything.
    assert 'CaseName = %s' % case in proc.stdout
    with open(os.path.join(out, 'run_%s.log' % kind), encoding='utf-8') as f:
        full = f.read()
    assert 'Iter:      4, Train Loss:' in full and 'Throughput:' in full
    with open(os.path.join(out, 'losses.tsv')) as f:
        lines = f.read().splitlines()
    assert lines[0] == 'step\tloss' and len(lines) == STEPS + 1
    assert os.path.isfile(os.path.join(out, 'checkpoints', 'best', 'checkpoint'))
    assert os.path.isfile(os.path.join(out, 'checkpoints', 'latest', 'checkpoint'))


@pytest.mark.parametrize('key', ALL_RUNS)
def test_fps_agrees_with_batch_and_step_time(runs, key):
    out, _ = runs(*key)
    case = 'TextCNN_bs%d_%dp_%s' % (BATCH, _ranks(key), key[1])
    s = read_summary(os.path.join(out, case + '.log'))
    fps, ms = float(s['ActualFPS']), float(s['TrainingTime'])
    expected = int(s['RankSize']) * int(s['BatchSize']) * 1000.0 / ms
    assert fps == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize('data_name', ['cnews', 'demo'])
def test_acc_reports_the_test_accuracy(runs, data_name):
    out, _ = runs(data_name, 'acc')
    with open(os.path.join(out, 'test_metrics.json')) as f:
        test_acc = json.load(f)['test_acc']
    s = read_summary(os.path.join(out, 'TextCNN_bs%d_1p_acc.log' % BATCH))
    assert float(s['TrainAccuracy']) == pytest.approx(test_acc, abs=1e-4)
    assert os.path.isfile(os.path.join(out, 'test.log'))


def test_perf_honours_ascend_environment(runs):
    out, _ = runs('demo', 'perf')
    assert out.endswith(os.path.join('output', '3'))
    with open(os.path.join(out, 'run_perf.log'), encoding='utf-8') as f:
        head = f.read(2000)
    assert 'ASCEND_DEVICE_ID=3 RANK_SIZE=2 RANK_ID=0 JOB_ID=77' in head


def test_rerun_replaces_the_earlier_outputs(tmp_path, cnews_split, cache):
    out = str(tmp_path / 'again')
    os.makedirs(out)
    stale = os.path.join(out, 'TextCNN_bs%d_1p_perf.log' % BATCH)
    with open(os.path.join(out, 'train.log'), 'w') as f:
        f.write('Iter:    999, Train Loss:    9.9, Train Acc:   0.00%, '
                'Val Loss:    9.9, Val Acc:   0.00%, Time: 0:00:01\n')
    with open(stale, 'w') as f:
        f.write('stale\n')
    run_script('perf', ['--data_path', cnews_split, '--output_dir', out,
                        '--steps', '6', '--batch_size', '16', '--print_per_batch',
                        '100', '--device', 'cpu'], cache)
    with open(os.path.join(out, 'train.log'), encoding='utf-8') as f:
        assert 'Iter:    999' not in f.read()
    assert not os.path.exists(stale)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize('kind', ['acc', 'perf'])
def test_missing_data_path_is_a_clear_error(kind, tmp_path):
    missing = str(tmp_path / 'nowhere')
    proc = run_script(kind, ['--data_path', missing, '--output_dir',
                             str(tmp_path / 'o')], tmp_path)
    assert proc.returncode == 2
    assert 'data path not found: %s' % missing in proc.stderr
    assert not os.path.exists(str(tmp_path / 'o'))


@pytest.mark.parametrize('kind', ['acc', 'perf'])
def test_unknown_flag_is_an_error(kind, tmp_path):
    proc = run_script(kind, ['--learning_rate=0.1'], tmp_path)
    assert proc.returncode == 2
    assert 'unknown flag --learning_rate' in proc.stderr


@pytest.mark.parametrize('args, message', [
    (['--steps', '0'], '--steps is \'0\''),
    (['--steps=abc'], '--steps is \'abc\''),
    (['--max_steps=5'], 'unknown flag --max_steps'),
    (['--batch_size'], '--batch_size needs a value'),
    (['data/cnews'], 'unexpected argument \'data/cnews\''),
])
def test_bad_perf_flags(args, message, tmp_path):
    proc = run_script('perf', args, tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_acc_has_no_steps_flag(tmp_path):
    proc = run_script('acc', ['--steps=5'], tmp_path)
    assert proc.returncode == 2 and 'unknown flag --steps' in proc.stderr


@pytest.mark.parametrize('kind', ['acc', 'perf'])
def test_help_lists_the_flags(kind, tmp_path):
    proc = run_script(kind, ['--help'], tmp_path)
    assert proc.returncode == 0
    for flag in ('--data_path', '--batch_size', '--precision_mode', '--output_dir',
                 'ASCEND_DEVICE_ID', 'RANK_SIZE', 'JOB_ID', 'PYTHON'):
        assert flag in proc.stdout
    assert ('--steps' in proc.stdout) == (kind == 'perf')
    assert ('--max_steps' in proc.stdout) == (kind == 'acc')


def test_missing_interpreter_is_a_clear_error(tmp_path, cnews_split):
    proc = run_script('perf', ['--data_path', cnews_split], tmp_path,
                      env={'PYTHON': 'no-such-python'})
    assert proc.returncode == 2
    assert "python interpreter 'no-such-python' not found" in proc.stderr


def test_failed_training_shows_the_log_tail(tmp_path):
    empty = tmp_path / 'empty'
    empty.mkdir()
    out = str(tmp_path / 'o')
    proc = run_script('acc', ['--data_path', str(empty), '--output_dir', out],
                      tmp_path)
    assert proc.returncode == 2
    assert 'training failed (exit 2)' in proc.stderr
    assert 'data file not found' in proc.stderr  # run_cnn.py's own message
    assert 'Traceback' not in proc.stderr
    assert not any(n.startswith('TextCNN_') for n in os.listdir(out))
