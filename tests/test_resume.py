"""Checkpoints: kill and --resume, signals, NaN loss, mismatched settings, seeds.

Every run is a ``run_cnn.py`` subprocess on the CPU with a tiny budget:
200 train and 50 val lines of the real samples, seq_length 100, batch 16.
"""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_cli, write_split

COMMON = ['--seq_length', '100', '--batch_size', '16', '--print_per_batch', '5',
          '--device', 'cpu', '--cache_dir', '']
ITER = re.compile(r'^Iter: +(\d+),.*$', re.M)


def output(result):
    return result.stdout + result.stderr


def iter_steps(text):
    return [int(s) for s in ITER.findall(text)]


def iter_lines_without_time(text):
    return [re.sub(r'Time: \S+', 'Time: -', m.group(0)) for m in ITER.finditer(text)]


def loss_steps(out_dir):
    with open(os.path.join(out_dir, 'losses.tsv')) as f:
        lines = f.read().splitlines()
    assert lines[0] == 'step\tloss'
    return [int(l.split('\t')[0]) for l in lines[1:]]


def read_json(path):
    with open(path) as f:
        return json.load(f)


def best_prefix(out_dir):
    index, = glob.glob(os.path.join(out_dir, 'checkpoints', 'best', '*.index'))
    return index[:-len('.index')]


def start_training(data, out_dir, log_path, *extra):
    """Starts a long training run in the background, output to log_path."""
    cmd = [sys.executable, os.path.join(ROOT, 'run_cnn.py'), 'train',
           '--data_path', data, '--output_dir', out_dir, '--max_steps', '100000',
           '--num_epochs', '10000', '--require_improvement', '100000'] + COMMON
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    log = open(log_path, 'w')
    try:
        return subprocess.Popen(cmd + list(extra), cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    finally:
        log.close()


def wait_for_state(proc, out_dir, min_step, timeout=300):
    """Polls checkpoints/latest/train_state.json until its step >= min_step."""
    path = os.path.join(out_dir, 'checkpoints', 'latest', 'train_state.json')
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, 'training ended early (exit %s)' % proc.returncode
        if os.path.exists(path):
            step = read_json(path)['step']  # written atomically
            if step >= min_step:
                return step
        time.sleep(0.05)
    proc.kill()
    pytest.fail('no checkpoint at step %d after %ds' % (min_step, timeout))


@pytest.fixture(scope='module')
def data(tmp_path_factory, sample_lines):
    return write_split(str(tmp_path_factory.mktemp('data')), sample_lines[:300], 200, 50)


@pytest.fixture(scope='module')
def base_run(data, tmp_path_factory):
    """A finished 30-step run with seed 7: (output dir, stdout)."""
    out = str(tmp_path_factory.mktemp('base'))
    result = run_cli(['train', '--data_path', data, '--output_dir', out,
                      '--max_steps', '30', '--seed', '7'] + COMMON)
    assert result.returncode == 0, output(result)
    return out, result.stdout


def test_finished_run(base_run):
    out, stdout = base_run
    assert iter_steps(stdout) == list(range(0, 30, 5))
    assert loss_steps(out) == list(range(30))
    assert read_json(os.path.join(out, 'train_metrics.json'))['steps'] == 30
    # The latest checkpoint holds the end of the run, so --resume can go on.
    state = read_json(os.path.join(out, 'checkpoints', 'latest', 'train_state.json'))
    assert state['step'] == 30 and state['seed'] == 7


def test_same_seed_same_iter_lines(base_run, data, tmp_path):
    out, stdout = base_run
    again = run_cli(['train', '--data_path', data, '--output_dir', str(tmp_path),
                     '--max_steps', '30', '--seed', '7'] + COMMON)
    assert again.returncode == 0, output(again)
    first = iter_lines_without_time(stdout)
    assert len(first) == 6
    assert iter_lines_without_time(again.stdout) == first


def test_sigkill_then_resume(data, tmp_path):
    out = str(tmp_path / 'out')
    proc = start_training(data, out, str(tmp_path / 'first.log'), '--seed', '3')
    try:
        wait_for_state(proc, out, 10)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    saved = read_json(os.path.join(out, 'checkpoints', 'latest', 'train_state.json'))
    step = saved['step']
    assert step % 5 == 0 and saved['seed'] == 3
    max_steps = step + 17
    result = run_cli(['train', '--data_path', data, '--output_dir', out, '--resume',
                      '--max_steps', str(max_steps)] + COMMON)
    text = output(result)
    assert result.returncode == 0, text
    assert 'Resumed from ' in text and 'at step %d ' % step in text
    assert 'Seed 3;' in text
    assert iter_steps(result.stdout) == list(range(step, max_steps, 5))
    assert loss_steps(out) == list(range(max_steps))
    metrics = read_json(os.path.join(out, 'train_metrics.json'))
    assert metrics['steps'] == max_steps and metrics['stopped'] == 'max_steps'
    # A resume that has nothing left to do stops at once.
    again = run_cli(['train', '--data_path', data, '--output_dir', out, '--resume',
                     '--max_steps', str(max_steps)] + COMMON)
    assert again.returncode == 0, output(again)
    assert iter_steps(again.stdout) == []
    assert loss_steps(out) == list(range(max_steps))
    tested = run_cli(['test', '--data_path', data, '--output_dir', out] + COMMON[-4:])
    assert tested.returncode == 0, output(tested)
    assert 'Test Loss:' in tested.stdout


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT],
                         ids=['SIGTERM', 'SIGINT'])
def test_signal_saves_a_restorable_checkpoint(data, tmp_path, signum):
    out = str(tmp_path / 'out')
    log = str(tmp_path / 'train.out')
    proc = start_training(data, out, log, '--seed', '4')
    try:
        wait_for_state(proc, out, 5)
        proc.send_signal(signum)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    with open(log) as f:
        text = f.read()
    assert proc.returncode == 128 + signum, text
    assert 'Traceback' not in text
    name = signal.Signals(signum).name
    found = re.search(r'WARNING: %s at step (\d+): saved (\S+); continue with '
                      r'--resume' % name, text)
    assert found, text
    step = int(found.group(1))
    state = read_json(os.path.join(out, 'checkpoints', 'latest', 'train_state.json'))
    assert state['step'] == step
    assert os.path.basename(found.group(2)) == state['checkpoint']
    assert loss_steps(out) == list(range(step))
    assert read_json(os.path.join(out, 'train_metrics.json'))['stopped'] == name
    latest = os.path.join(out, 'checkpoints', 'latest')
    tested = run_cli(['test', '--data_path', data, '--output_dir', out,
                      '--checkpoint', latest] + COMMON[-4:])
    assert tested.returncode == 0, output(tested)
    assert 'Restored %s' % found.group(2) in tested.stdout
    assert 'Test Loss:' in tested.stdout


def test_nan_loss_stops_with_exit_3(data, tmp_path):
    # Adam moves every weight by about the learning rate on the first step,
    # so 1e30 overflows the logits at once, on TF 1.15 and on TF 2.x alike.
    out = str(tmp_path)
    result = run_cli(['train', '--data_path', data, '--output_dir', out,
                      '--max_steps', '30', '--seed', '5', '--learning_rate', '1e30']
                     + COMMON)
    text = output(result)
    assert result.returncode == 3, text
    assert 'Traceback' not in text
    found = re.search(r'ERROR: the training loss became (nan|inf|-inf) at step (\d+); '
                      r'the last checkpoint \(step (\d+)\)', text)
    assert found, text
    step = int(found.group(2))
    assert 1 <= step < 30 and int(found.group(3)) <= step
    assert '--learning_rate' in text
    assert loss_steps(out) == list(range(step))


def _write_lines(path, lines):
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    return path


def test_other_vocabulary_is_refused(base_run, data, tmp_path):
    out, _ = base_run
    with open(os.path.join(data, 'cnews.vocab.txt'), encoding='utf-8') as f:
        words = f.read().split('\n')[:-1]
    words[1], words[2] = words[2], words[1]  # same size, other ids
    vocab = _write_lines(str(tmp_path / 'vocab.txt'), words)
    for mode in ('test', 'predict'):
        args = [mode] + ([] if mode == 'test' else [u'新浪体育讯'])
        result = run_cli(args + ['--data_path', data, '--output_dir', out,
                                 '--vocab_file', vocab, '--checkpoint', best_prefix(out)]
                         + COMMON[-4:])
        text = output(result)
        assert result.returncode == 2, text
        assert 'Traceback' not in text
        assert 'was trained with another vocabulary (5000 entries' in text, text
        assert 'use the vocab.txt saved beside the checkpoint' in text


def test_other_seq_length_is_refused(base_run, data):
    out, _ = base_run
    for mode in ('test', 'predict'):
        args = [mode] + ([] if mode == 'test' else [u'新浪体育讯'])
        result = run_cli(args + ['--data_path', data, '--output_dir', out,
                                 '--seq_length', '50', '--device', 'cpu',
                                 '--cache_dir', ''])
        text = output(result)
        assert result.returncode == 2, text
        assert 'Traceback' not in text
        assert 'was trained with seq_length 100, not 50' in text, text


def test_checkpoint_without_meta_and_other_vocab_size(base_run, data, tmp_path):
    """Without meta.json the variable shapes still catch another vocabulary."""
    out, _ = base_run
    prefix = best_prefix(out)
    bare = tmp_path / 'bare'
    bare.mkdir()
    for path in glob.glob(prefix + '.*'):
        shutil.copy(path, str(bare))
    with open(os.path.join(data, 'cnews.vocab.txt'), encoding='utf-8') as f:
        words = f.read().split('\n')[:4000]
    vocab = _write_lines(str(tmp_path / 'vocab.txt'), words)
    result = run_cli(['predict', u'新浪体育讯', '--vocab_file', vocab, '--seq_length', '100',
                      '--checkpoint', str(bare / os.path.basename(prefix)),
                      '--device', 'cpu'])
    text = output(result)
    assert result.returncode == 2, text
    assert 'Traceback' not in text
    assert 'no meta.json beside' in text
    assert 'but the model here needs [4000, 64]' in text, text


def test_missing_checkpoint(data, tmp_path):
    empty = str(tmp_path / 'empty')
    os.makedirs(empty)
    cases = [
        (['test', '--data_path', data, '--output_dir', str(tmp_path / 'none')],
         'checkpoint not found: %s' % os.path.join(str(tmp_path / 'none'),
                                                  'checkpoints', 'best')),
        (['predict', u'新浪体育讯', '--checkpoint', empty],
         'no checkpoint in %s; train first' % empty),
        (['train', '--resume', '--data_path', data, '--output_dir', str(tmp_path / 'r')]
         + COMMON[:-4], 'nothing to resume in'),
    ]
    for args, expected in cases:
        result = run_cli(args + COMMON[-4:])
        text = output(result)
        assert result.returncode == 2, text
        assert 'Traceback' not in text
        assert expected in text, text


def test_a_new_run_in_a_used_folder_warns_and_starts_its_own_log(data, tmp_path):
    out = str(tmp_path / 'out')
    args = ['train', '--data_path', data, '--output_dir', out, '--max_steps', '5',
            '--seed', '3'] + COMMON
    first = run_cli(args)
    assert first.returncode == 0 and 'already holds a run' not in output(first)
    second = run_cli(args)
    assert second.returncode == 0, output(second)
    assert 'already holds a run' in second.stdout and '--resume' in second.stdout
    with open(os.path.join(out, 'train.log'), encoding='utf-8') as f:
        log = f.read()
    assert iter_steps(log) == [0]  # this run's lines only, not both runs'
    resumed = run_cli(args[:-len(COMMON)] + ['--max_steps', '10', '--resume'] + COMMON)
    assert resumed.returncode == 0, output(resumed)
    with open(os.path.join(out, 'train.log'), encoding='utf-8') as f:
        assert iter_steps(f.read()) == [0, 5]  # --resume appends
