"""Tests of report.py: compare, curves and summary, on real training logs.

Two short CPU training runs on the real cnews sample (seeds 1 and 2) are
made once for the module; the report is checked against their losses.tsv,
Iter lines and metrics files.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli

import report

STEPS = 10
PRINT_EVERY = 4


def run_report(args, cwd=ROOT):
    return subprocess.run([sys.executable, os.path.join(ROOT, 'report.py')] + list(args),
                          cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300)


@pytest.fixture(scope='module')
def two_logs(tmp_path_factory, cnews_split):
    """Output folders of two short training runs that differ by seed."""
    base = tmp_path_factory.mktemp('report_runs')
    outs = []
    for seed in (1, 2):
        out = str(base / ('seed%d' % seed))
        proc = run_cli(['train', '--data_path', cnews_split, '--output_dir', out,
                        '--device', 'cpu', '--seed', str(seed), '--batch_size', '16',
                        '--seq_length', '200', '--max_steps', str(STEPS),
                        '--print_per_batch', str(PRINT_EVERY), '--warmup_steps', '2',
                        '--cache_dir', ''])
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outs.append(out)
    return outs


def tsv_losses(out):
    with open(os.path.join(out, 'losses.tsv')) as f:
        rows = [l.split('\t') for l in f.read().splitlines()[1:]]
    return {int(s): float(v) for s, v in rows}


def ms_per_step(out):
    with open(os.path.join(out, 'train_metrics.json')) as f:
        return json.load(f)['ms_per_step']


def table_rows(markdown):
    """{step: (first loss, second loss)} from the markdown loss table."""
    rows = re.findall(r'^\| (\d+) \| ([0-9.]+) \| ([0-9.]+) \|$', markdown, re.M)
    return {int(s): (float(a), float(b)) for s, a, b in rows}


def test_compare_reports_table_differences_ratio_and_plot(two_logs, tmp_path):
    gpu, npu = two_logs
    out = str(tmp_path / 'rep')
    proc = run_report(['compare', gpu, os.path.join(npu, 'train.log'), '--out', out])
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert '| step | GPU loss | NPU loss |' in text
    with open(os.path.join(out, 'report.md'), encoding='utf-8') as f:
        assert f.read() == text

    # Rows at the Iter steps, with the per-step losses of both logs.
    a, b = tsv_losses(gpu), tsv_losses(npu)
    rows = table_rows(text)
    assert sorted(rows) == list(range(0, STEPS, PRINT_EVERY))
    for step, (la, lb) in rows.items():
        assert la == pytest.approx(a[step], abs=5e-5)
        assert lb == pytest.approx(b[step], abs=5e-5)

    diffs = [abs(a[s] - b[s]) for s in range(STEPS)]
    m = re.search(r'Aligned steps: (\d+)\. Largest absolute loss difference: '
                  r'(\d+\.\d+) \(step (\d+)\); mean absolute difference: (\d+\.\d+)',
                  text)
    assert m, text
    assert int(m.group(1)) == STEPS
    assert float(m.group(2)) == pytest.approx(max(diffs), abs=6e-5)
    assert float(m.group(4)) == pytest.approx(sum(diffs) / STEPS, abs=6e-5)

    ratio = re.search(r'ratio NPU/GPU = (\d+\.\d+)', text)
    assert ratio, text
    assert float(ratio.group(1)) == pytest.approx(ms_per_step(npu) / ms_per_step(gpu),
                                                  rel=2e-3)

    with open(os.path.join(out, 'loss_compare.png'), 'rb') as f:
        png = f.read()
    assert png.startswith(b'\x89PNG') and len(png) > 1000


def test_compare_every_n_steps_and_labels(two_logs, tmp_path):
    proc = run_report(['compare'] + two_logs + ['--every', '3', '--labels', 'V100',
                                                'Ascend', '--out', str(tmp_path)])
    assert proc.returncode == 0, proc.stderr
    assert '| step | V100 loss | Ascend loss |' in proc.stdout
    assert sorted(table_rows(proc.stdout)) == [0, 3, 6, 9]
    assert 'ratio Ascend/V100 = ' in proc.stdout


def test_compare_falls_back_to_iter_and_throughput_lines(two_logs, tmp_path):
    """A bare log (no losses.tsv, no metrics) is read from its own lines."""
    bare = []
    for i, out in enumerate(two_logs):
        log = str(tmp_path / ('run%d.log' % i))
        shutil.copy(os.path.join(out, 'train.log'), log)
        bare.append(log)
    runs = [report.load_run(log, str(i)) for i, log in enumerate(bare)]
    for run, out in zip(runs, two_logs):
        assert run.loss_source == 'Iter lines'
        assert run.time_source == 'Throughput line'
        assert run.ms_per_step == pytest.approx(ms_per_step(out), abs=0.01)
    proc = run_report(['compare'] + bare + ['--out', str(tmp_path / 'rep')])
    assert proc.returncode == 0, proc.stderr
    rows = table_rows(proc.stdout)
    assert sorted(rows) == [r['step'] for r in runs[0].iters]
    for row in runs[0].iters:
        assert rows[row['step']][0] == row['train_loss']


def test_curves_draws_a_png(two_logs, tmp_path):
    proc = run_report(['curves', two_logs[0], '--out', str(tmp_path)])
    assert proc.returncode == 0, proc.stderr
    png = os.path.join(str(tmp_path), 'train_curves.png')
    assert proc.stdout.strip() == png
    assert os.path.getsize(png) > 1000


def test_parse_iter_lines_reads_the_reference_format():
    text = ('Epoch: 1\n'
            'Iter:      0, Train Loss:    2.3, Train Acc:  10.94%, Val Loss:    2.3, '
            'Val Acc:   7.00%, Time: 0:00:01 *\n'
            '12:00:01 Iter:    100, Train Loss: 1.2e-05, Train Acc: 100.00%, '
            'Val Loss:   0.25, Val Acc:  93.10%, Time: 0:01:40 \n')
    rows = report.parse_iter_lines(text)
    assert [r['step'] for r in rows] == [0, 100]
    assert rows[1]['train_loss'] == pytest.approx(1.2e-05)
    assert rows[1]['val_acc'] == pytest.approx(0.931)
    assert report.parse_throughput(text) == (None, None)
    assert report.parse_throughput(
        'Throughput: 238.8 samples/s, 267.98 ms/step over 15 timed steps (...)') == (
            267.98, 15)


# ---------------------------------------------------------------- summary

def write_metrics(folder, ms=250.0, batch=64, test_acc=0.9604):
    folder.mkdir(exist_ok=True)
    train = {'backend': 'cpu', 'batch_size': batch, 'ms_per_step': ms,
             'samples_per_sec': batch * 1000.0 / ms if ms else None,
             'final_loss': 0.123456, 'e2e_seconds': 61.25, 'steps': 100}
    (folder / 'train_metrics.json').write_text(json.dumps(train))
    (folder / 'test_metrics.json').write_text(json.dumps({'test_acc': test_acc}))
    return str(folder)


def test_summary_values_come_from_the_metrics(tmp_path):
    out = write_metrics(tmp_path / 'o')
    proc = run_report(['summary', out, '--case', 'acc', '--rank_size', '8'])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ('Network = TextCNN\nRankSize = 8\nBatchSize = 64\n'
                           'DeviceType = cpu\nCaseName = TextCNN_bs64_8p_acc\n'
                           'ActualFPS = 2048.00\nTrainingTime = 250.00\n'
                           'TrainAccuracy = 0.9604\nActualLoss = 0.1235\n'
                           'E2ETrainingTime = 61.2\n')
    with open(os.path.join(out, 'TextCNN_bs64_8p_acc.log')) as f:
        assert f.read() == proc.stdout


def test_summary_perf_has_no_accuracy_and_no_timing_is_none(tmp_path):
    out = write_metrics(tmp_path / 'o', ms=None)
    proc = run_report(['summary', out, '--case', 'perf', '--out',
                       str(tmp_path / 's.log')])
    assert proc.returncode == 0, proc.stderr
    assert 'TrainAccuracy' not in proc.stdout
    assert 'ActualFPS = None' in proc.stdout and 'no timed training step' in proc.stderr


def test_summary_acc_needs_test_metrics(tmp_path):
    out = write_metrics(tmp_path / 'o')
    os.remove(os.path.join(out, 'test_metrics.json'))
    proc = run_report(['summary', out, '--case', 'acc'])
    assert proc.returncode == 2
    assert 'test metrics not found' in proc.stderr and 'Traceback' not in proc.stderr


# ---------------------------------------------------------------- bad input

def test_missing_log_is_a_clear_error(tmp_path, two_logs):
    missing = str(tmp_path / 'nope.log')
    proc = run_report(['compare', missing, two_logs[0]])
    assert proc.returncode == 2
    assert 'log not found: %s' % missing in proc.stderr
    assert 'Traceback' not in proc.stderr
    proc = run_report(['curves', str(tmp_path)])
    assert proc.returncode == 2 and 'no train.log in' in proc.stderr


def test_log_without_iter_lines_is_a_clear_error(tmp_path, two_logs):
    log = tmp_path / 'train.log'
    log.write_text('Loading training and validation data...\nTime usage: 0:00:00\n')
    for args in (['compare', two_logs[0], str(log)], ['curves', str(log)]):
        proc = run_report(args + ['--out', str(tmp_path / 'rep')])
        assert proc.returncode == 2
        assert 'has no "Iter:" lines' in proc.stderr
        assert 'Traceback' not in proc.stderr


@pytest.mark.parametrize('args', [
    ['compare', 'a.log', 'b.log', '--bogus'],
    ['curves', 'a.log', '--every=3'],
    ['summary', '.', '--case', 'acc', '--steps=1'],
    ['plot', 'a.log'],
    ['compare', 'a.log', 'b.log', '--every', '0'],
])
def test_unknown_flags_and_commands_are_errors(args):
    proc = run_report(args)
    assert proc.returncode == 2
    assert 'error:' in proc.stderr and 'Traceback' not in proc.stderr


@pytest.mark.parametrize('command, words', [
    (None, ['compare', 'curves', 'summary']),
    ('compare', ['--labels', '--every', '--out', 'losses.tsv', 'ratio']),
    ('curves', ['Iter lines', '--out']),
    ('summary', ['--case', '--rank_size', 'ActualFPS', 'TrainAccuracy']),
])
def test_help_explains_each_command(command, words):
    proc = run_report(([command] if command else []) + ['--help'])
    assert proc.returncode == 0
    for word in words:
        assert word in proc.stdout
