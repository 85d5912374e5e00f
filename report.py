"""Reports on training runs of run_cnn.py: GPU vs NPU, curves, summaries.

    python report.py compare output/gpu output/0 --labels GPU NPU --out report
    python report.py compare gpu/train.log npu/train.log --every 50
    python report.py curves output/0 --out report
    python report.py summary output/0 --case acc --rank_size 1

compare aligns two runs by training step and writes a markdown report (to
stdout and to OUT/report.md) with a loss table, the loss differences, the
NPU/GPU step-time ratio and a PNG of both loss curves. curves draws one
run's train and validation loss and accuracy from its Iter lines. summary
writes the `key = value` file of the run_npu_1p_*.sh scripts from the
run's metrics JSON files.

A run is given as its train.log or as the output folder holding it. The
per-step losses come from losses.tsv beside the log when it is there, else
from the Iter lines (two significant digits); the step time comes from
train_metrics.json beside the log, else from the log's Throughput line.

Exit status: 0 done, 2 bad input (the message says what is wrong).
"""

import argparse
import collections
import json
import logging
import os
import re
import sys

LOG = logging.getLogger('report')

EXIT_BAD_INPUT = 2

# run_cnn.ITER_FORMAT, as printed by this project and by the reference code;
# a prefix (a timestamp added by a log collector) is allowed.
ITER_RE = re.compile(
    r'Iter:\s*(?P<step>\d+),\s*Train Loss:\s*(?P<train_loss>\S+),'
    r'\s*Train Acc:\s*(?P<train_acc>\S+)%,\s*Val Loss:\s*(?P<val_loss>\S+),'
    r'\s*Val Acc:\s*(?P<val_acc>\S+)%')
THROUGHPUT_RE = re.compile(
    r'Throughput:\s*(?P<fps>[0-9.eE+-]+) samples/s,\s*(?P<ms>[0-9.eE+-]+) ms/step'
    r' over (?P<steps>\d+) timed steps')

NETWORK = 'TextCNN'
SUMMARY_KEYS = ('Network', 'RankSize', 'BatchSize', 'DeviceType', 'CaseName',
                'ActualFPS', 'TrainingTime', 'TrainAccuracy', 'ActualLoss',
                'E2ETrainingTime')


class ReportError(ValueError):
    """Bad input to a report; the message names the file and the fix."""


# ---------------------------------------------------------------- reading

class Run(object):
    """What one training run left behind.

    Attributes:
        label: name used in tables and legends.
        log_path: the train.log read.
        iters: list of dicts (step, train_loss, train_acc, val_loss,
            val_acc) from the Iter lines, by step; accuracies are fractions.
        losses: OrderedDict step -> training loss, by step.
        loss_source: 'losses.tsv' or 'Iter lines'.
        ms_per_step: mean time of a timed training step, or None.
        timed_steps: how many steps ms_per_step averages, or None.
        time_source: where ms_per_step came from, or None.
    """

    def __init__(self, label, log_path):
        self.label = label
        self.log_path = log_path
        self.iters = []
        self.losses = collections.OrderedDict()
        self.loss_source = None
        self.ms_per_step = None
        self.timed_steps = None
        self.time_source = None


def resolve_log(path):
    """The train.log named by path (the file itself, or DIR/train.log)."""
    if os.path.isdir(path):
        log = os.path.join(path, 'train.log')
        if not os.path.isfile(log):
            raise ReportError('no train.log in %s; give a training log of '
                              'run_cnn.py or the --output_dir of its run' % path)
        return log
    if not os.path.isfile(path):
        raise ReportError('log not found: %s' % path)
    return path


def _read_text(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except OSError as e:
        raise ReportError('cannot read %s: %s' % (path, e))


def parse_iter_lines(text):
    """Iter lines of a log as dicts, by step; a repeated step keeps the last.

    Returns:
        list of dicts with int step and float train_loss, train_acc,
        val_loss, val_acc (accuracies as fractions, not percent).
    """
    by_step = {}
    for line in text.splitlines():
        m = ITER_RE.search(line)
        if not m:
            continue
        try:
            row = {'step': int(m.group('step')),
                   'train_loss': float(m.group('train_loss')),
                   'train_acc': float(m.group('train_acc')) / 100.0,
                   'val_loss': float(m.group('val_loss')),
                   'val_acc': float(m.group('val_acc')) / 100.0}
        except ValueError:
            LOG.warning('unreadable Iter line skipped: %s', line.strip())
            continue
        by_step[row['step']] = row
    return [by_step[s] for s in sorted(by_step)]


def parse_throughput(text):
    """(ms per step, timed steps) of the last Throughput line, or (None, None)."""
    found = THROUGHPUT_RE.findall(text)
    if not found:
        return None, None
    _, ms, steps = found[-1]
    return float(ms), int(steps)


def read_losses(path):
    """OrderedDict step -> loss from a losses.tsv (header `step<TAB>loss`).

    Malformed lines are skipped, counted and reported in one warning.
    """
    losses, bad = {}, 0
    for line in _read_text(path).splitlines():
        fields = line.split('\t')
        if not line.strip() or fields[0] == 'step':
            continue
        try:
            losses[int(fields[0])] = float(fields[1])
        except (ValueError, IndexError):
            bad += 1
    if bad:
        LOG.warning('%s: skipped %d malformed line(s)', path, bad)
    return collections.OrderedDict((s, losses[s]) for s in sorted(losses))


def load_run(path, label):
    """Reads a run from its train.log or output folder.

    Raises:
        ReportError: the log is missing or has no Iter lines.
    """
    log = resolve_log(path)
    text = _read_text(log)
    run = Run(label, log)
    run.iters = parse_iter_lines(text)
    if not run.iters:
        raise ReportError('%s has no "Iter:" lines; is it the training log of '
                          'run_cnn.py (or of the reference run_cnn.py)?' % log)
    folder = os.path.dirname(os.path.abspath(log))
    tsv = os.path.join(folder, 'losses.tsv')
    if os.path.isfile(tsv):
        run.losses = read_losses(tsv)
        run.loss_source = 'losses.tsv'
    if not run.losses:
        run.losses = collections.OrderedDict(
            (r['step'], r['train_loss']) for r in run.iters)
        run.loss_source = 'Iter lines'
    metrics_path = os.path.join(folder, 'train_metrics.json')
    if os.path.isfile(metrics_path):
        try:
            with open(metrics_path) as f:
                metrics = json.load(f)
            run.ms_per_step = metrics.get('ms_per_step')
            run.timed_steps = metrics.get('timed_steps')
            run.time_source = 'train_metrics.json'
        except (OSError, ValueError) as e:
            LOG.warning('ignoring unreadable %s: %s', metrics_path, e)
    if run.ms_per_step is None:
        run.ms_per_step, run.timed_steps = parse_throughput(text)
        run.time_source = 'Throughput line' if run.ms_per_step else None
    if run.ms_per_step is None:
        LOG.warning('%s: no step time (no train_metrics.json beside it and no '
                    'Throughput line)', log)
    return run


# ---------------------------------------------------------------- compare

def aligned_steps(a, b):
    """Steps at which both runs have a training loss, ascending."""
    return sorted(set(a.losses) & set(b.losses))


def table_steps(a, b, every=None):
    """Rows of the loss table: the Iter steps, or every N-th aligned step."""
    common = aligned_steps(a, b)
    if every:
        return [s for s in common if s % every == 0]
    iter_steps = set(r['step'] for r in a.iters) | set(r['step'] for r in b.iters)
    return [s for s in common if s in iter_steps]


def loss_differences(a, b):
    """(largest |diff|, its step, mean |diff|, aligned steps) over all steps."""
    steps = aligned_steps(a, b)
    if not steps:
        raise ReportError('%s and %s share no training step; compare runs of the '
                          'same step range' % (a.log_path, b.log_path))
    diffs = [(abs(a.losses[s] - b.losses[s]), s) for s in steps]
    largest, at = max(diffs)
    return largest, at, sum(d for d, _ in diffs) / len(diffs), len(steps)


def time_ratio(gpu, npu):
    """NPU ms per step over GPU ms per step, or None when either is unknown."""
    if not gpu.ms_per_step or not npu.ms_per_step:
        return None
    return npu.ms_per_step / gpu.ms_per_step


def _fmt_loss(x):
    return '%.4f' % x


def compare_markdown(gpu, npu, every=None, png_name=None):
    """The comparison report as markdown text."""
    largest, at, mean, count = loss_differences(gpu, npu)
    lines = ['# TextCNN training: %s vs %s' % (gpu.label, npu.label), '',
             '- %s: `%s` (losses from %s)' % (gpu.label, gpu.log_path, gpu.loss_source),
             '- %s: `%s` (losses from %s)' % (npu.label, npu.log_path, npu.loss_source),
             '', '| step | %s loss | %s loss |' % (gpu.label, npu.label),
             '|---:|---:|---:|']
    for s in table_steps(gpu, npu, every):
        lines.append('| %d | %s | %s |' % (s, _fmt_loss(gpu.losses[s]),
                                          _fmt_loss(npu.losses[s])))
    lines += ['', 'Aligned steps: %d. Largest absolute loss difference: %.4f '
              '(step %d); mean absolute difference: %.4f.' % (count, largest, at, mean)]
    ratio = time_ratio(gpu, npu)
    if ratio is None:
        lines.append('Step time ratio %s/%s: n/a (no step time for %s).' % (
            npu.label, gpu.label, ' and '.join(
                r.label for r in (gpu, npu) if not r.ms_per_step)))
    else:
        lines.append('Step time: %s %.2f ms over %d timed steps, %s %.2f ms over '
                     '%d timed steps; ratio %s/%s = %.3f.' % (
                         gpu.label, gpu.ms_per_step, gpu.timed_steps or 0,
                         npu.label, npu.ms_per_step, npu.timed_steps or 0,
                         npu.label, gpu.label, ratio))
    if png_name:
        lines += ['', '![training loss](%s)' % png_name]
    return '\n'.join(lines) + '\n'


def _pyplot():
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def plot_losses(runs, path):
    """Both runs' per-step training loss on one axis, saved to path."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for run in runs:
        ax.plot(list(run.losses), list(run.losses.values()), label=run.label,
                linewidth=1)
    ax.set_xlabel('step')
    ax.set_ylabel('training loss')
    ax.set_title('TextCNN training loss')
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_curves(run, path):
    """Train and validation loss and accuracy from the Iter lines, to path."""
    plt = _pyplot()
    steps = [r['step'] for r in run.iters]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    for ax, key, title in ((ax_loss, 'loss', 'loss'), (ax_acc, 'acc', 'accuracy')):
        ax.plot(steps, [r['train_' + key] for r in run.iters], label='train')
        ax.plot(steps, [r['val_' + key] for r in run.iters], label='validation')
        ax.set_xlabel('step')
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(run.label)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _make_dir(folder):
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise ReportError('cannot create --out %s: %s' % (folder, e))


def cmd_compare(args):
    gpu = load_run(args.gpu_log, args.labels[0])
    npu = load_run(args.npu_log, args.labels[1])
    _make_dir(args.out)
    png = os.path.join(args.out, 'loss_compare.png')
    text = compare_markdown(gpu, npu, args.every, os.path.basename(png))
    plot_losses([gpu, npu], png)
    md = os.path.join(args.out, 'report.md')
    with open(md, 'w', encoding='utf-8') as f:
        f.write(text)
    sys.stdout.write(text)
    LOG.info('wrote %s and %s', md, png)
    return 0


def cmd_curves(args):
    run = load_run(args.log, args.label or 'TextCNN')
    _make_dir(args.out)
    png = os.path.join(args.out, 'train_curves.png')
    plot_curves(run, png)
    sys.stdout.write(png + '\n')
    LOG.info('%d Iter points from %s', len(run.iters), run.log_path)
    return 0


# ---------------------------------------------------------------- summary

def _read_json(path, what):
    if not os.path.isfile(path):
        raise ReportError('%s not found: %s; did the run finish?' % (what, path))
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise ReportError('cannot read %s %s: %s' % (what, path, e))


def case_name(batch_size, rank_size, case):
    return '%s_bs%d_%dp_%s' % (NETWORK, batch_size, rank_size, case)


def summary_lines(train_metrics, test_metrics, case, rank_size):
    """The summary as (key, value) pairs, in SUMMARY_KEYS order.

    ActualFPS counts every card: rank_size * batch / step time. TrainAccuracy
    (the test accuracy) is given for acc runs only. A value that the run
    did not measure (no timed step) is 'None'.
    """
    batch = int(train_metrics['batch_size'])
    ms = train_metrics.get('ms_per_step')
    fps = rank_size * batch * 1000.0 / ms if ms else None
    values = {
        'Network': NETWORK, 'RankSize': rank_size, 'BatchSize': batch,
        'DeviceType': train_metrics['backend'],
        'CaseName': case_name(batch, rank_size, case),
        'ActualFPS': '%.2f' % fps if fps else None,
        'TrainingTime': '%.2f' % ms if ms else None,
        'ActualLoss': '%.4f' % train_metrics['final_loss'],
        'E2ETrainingTime': '%.1f' % train_metrics['e2e_seconds']}
    if case == 'acc':
        values['TrainAccuracy'] = '%.4f' % test_metrics['test_acc']
    return [(k, values[k]) for k in SUMMARY_KEYS if k in values]


def _env_rank_size():
    text = os.environ.get('RANK_SIZE') or '1'
    if not text.isdigit() or int(text) < 1:
        raise ReportError('RANK_SIZE is %r; it must be a positive integer' % text)
    return int(text)


def cmd_summary(args):
    rank_size = args.rank_size or _env_rank_size()
    train_metrics = _read_json(os.path.join(args.output_dir, 'train_metrics.json'),
                               'training metrics')
    test_metrics = None
    if args.case == 'acc':
        test_metrics = _read_json(os.path.join(args.output_dir, 'test_metrics.json'),
                                  'test metrics')
    try:
        pairs = summary_lines(train_metrics, test_metrics, args.case, rank_size)
    except (KeyError, TypeError, ValueError) as e:
        raise ReportError('%s/train_metrics.json lacks a field or has a bad value '
                          '(%s); rerun the training' % (args.output_dir, e))
    if dict(pairs)['TrainingTime'] is None:
        LOG.warning('no timed training step (steps <= warm-up): ActualFPS and '
                    'TrainingTime are None')
    text = ''.join('%s = %s\n' % kv for kv in pairs)
    path = args.out or os.path.join(args.output_dir, dict(pairs)['CaseName'] + '.log')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    sys.stdout.write(text)
    LOG.info('wrote %s', path)
    return 0


# ---------------------------------------------------------------- command line

def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not an integer' % text)
    if value < 1:
        raise argparse.ArgumentTypeError('%d: it must be 1 or more' % value)
    return value


def build_parser():
    p = argparse.ArgumentParser(
        description='Reports on run_cnn.py training runs. A run is its train.log '
                    'or the output folder holding it.',
        epilog='Exit status: 0 done, 2 bad input.')
    sub = p.add_subparsers(dest='command', metavar='COMMAND')
    sub.required = True
    c = sub.add_parser(
        'compare', help='loss table, loss differences, step-time ratio and loss '
                        'curves of two runs (e.g. GPU and NPU)',
        description='Aligns two runs by step and writes a markdown report to '
                    'stdout and OUT/report.md, with OUT/loss_compare.png. Losses '
                    'come from losses.tsv beside each log (else its Iter lines); '
                    'step times from train_metrics.json (else the Throughput '
                    'line). The ratio is the second run over the first.')
    c.add_argument('gpu_log', help='first run (the reference, e.g. GPU)')
    c.add_argument('npu_log', help='second run (e.g. NPU)')
    c.add_argument('--labels', nargs=2, default=['GPU', 'NPU'], metavar=('A', 'B'),
                   help='names of the two runs in the table and the plot')
    c.add_argument('--every', type=_positive_int, default=None, metavar='N',
                   help='table rows every N steps instead of at the Iter steps')
    c.add_argument('--out', default=os.path.join('output', 'report'),
                   help='folder for report.md and loss_compare.png')
    c.set_defaults(func=cmd_compare)
    v = sub.add_parser(
        'curves', help='train and validation loss and accuracy of one run',
        description='Draws the Iter lines of one run (train and validation loss '
                    'and accuracy against step) to OUT/train_curves.png.')
    v.add_argument('log', help='train.log or its output folder')
    v.add_argument('--label', default=None, help='title of the figure')
    v.add_argument('--out', default=os.path.join('output', 'report'),
                   help='folder for train_curves.png')
    v.set_defaults(func=cmd_curves)
    s = sub.add_parser(
        'summary', help='the key = value summary of run_npu_1p_*.sh',
        description='Writes the summary of a run from OUTPUT_DIR/train_metrics.json '
                    '(and test_metrics.json for --case acc) to OUTPUT_DIR/'
                    '<CaseName>.log and stdout. Keys: %s. TrainAccuracy is the '
                    'test accuracy, acc only; ActualFPS is RANK_SIZE * batch * '
                    '1000 / TrainingTime (ms per step).' % ', '.join(SUMMARY_KEYS))
    s.add_argument('output_dir', help='the --output_dir of the run')
    s.add_argument('--case', choices=('acc', 'perf'), required=True,
                   help='acc: full training and test; perf: fixed step count')
    s.add_argument('--rank_size', type=_positive_int, default=None,
                   help='cards in the job (default: $RANK_SIZE, else 1)')
    s.add_argument('--out', default=None,
                   help='summary file (default OUTPUT_DIR/<CaseName>.log)')
    s.set_defaults(func=cmd_summary)
    return p


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format='%(levelname)s: %(message)s',
                        stream=sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ReportError, OSError) as e:
        LOG.error('%s', e)
        return EXIT_BAD_INPUT


if __name__ == '__main__':
    sys.exit(main())
