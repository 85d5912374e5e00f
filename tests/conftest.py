"""Shared fixtures: the real data samples, a fixed split of them, the CLI."""

import os
import subprocess
import sys
import types

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

# The real THUCNews samples live beside the project, never inside it.
SHARED_DATA = os.environ.get('TEXTCNN_SHARED_DATA',
                             os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
CNEWS_SAMPLE = os.path.join(SHARED_DATA, 'cnews', 'cnews.sample.txt')
CNEWS_VOCAB = os.path.join(SHARED_DATA, 'cnews', 'cnews.vocab.txt')
TITLES = os.path.join(SHARED_DATA, 'thucnews-titles')


def write_split(folder, lines, n_train, n_val, vocab=CNEWS_VOCAB):
    """Writes cnews.{train,val,test}.txt from lines, and copies the vocabulary."""
    os.makedirs(folder, exist_ok=True)
    parts = {'train': lines[:n_train], 'val': lines[n_train:n_train + n_val],
             'test': lines[n_train + n_val:]}
    for split, part in parts.items():
        with open(os.path.join(folder, 'cnews.%s.txt' % split), 'w',
                  encoding='utf-8') as f:
            f.writelines(part)
    if vocab:
        with open(vocab, 'rb') as src, \
                open(os.path.join(folder, 'cnews.vocab.txt'), 'wb') as dst:
            dst.write(src.read())
    return folder


@pytest.fixture(scope='session')
def sample_lines():
    with open(CNEWS_SAMPLE, encoding='utf-8') as f:
        return f.readlines()


@pytest.fixture(scope='session')
def cnews_split(tmp_path_factory, sample_lines):
    """The 1000 real cnews samples split 800 / 100 / 100, canonical vocabulary."""
    folder = str(tmp_path_factory.mktemp('cnews'))
    return write_split(folder, sample_lines, 800, 100)


def child_env(extra=None):
    """This process's environment for a child Python, without what TF 2.x
    adds to it on import (TF2_BEHAVIOR=1 would turn TF 1.15 into v2 mode)."""
    env = {k: v for k, v in os.environ.items() if k != 'TF2_BEHAVIOR'}
    env.update(extra or {})
    return env


def run_cli(args, cwd=ROOT, python=None, env=None, input=None, timeout=600):
    """Runs `python run_cnn.py ARGS`; returns the CompletedProcess (text)."""
    full_env = child_env(env)
    full_env.setdefault('PYTHONUNBUFFERED', '1')
    cmd = [python or sys.executable, os.path.join(ROOT, 'run_cnn.py')] + list(args)
    return subprocess.run(cmd, cwd=cwd, env=full_env, input=input, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)


def fake_npu(calls):
    """Stand-ins for the npu_bridge modules that record how they are used."""
    from backend import tf

    def dropout(x, keep_prob):
        calls.append('npu_ops.dropout')
        return tf.nn.dropout(x, rate=1.0 - keep_prob)

    class Wrapper(object):
        def __init__(self, name, opt, *rest):
            calls.append(name)
            self.inner, self.rest = opt, rest

        def minimize(self, loss):
            return self.inner.minimize(loss)

    def set_iteration_per_loop(sess, train_op, iterations_per_loop):
        # The adapter returns an op that runs iterations_per_loop steps on
        # the device; without one, each call here is a single step.
        calls.append(('set_iteration_per_loop', iterations_per_loop))
        return train_op

    return {
        'util': types.SimpleNamespace(set_iteration_per_loop=set_iteration_per_loop),
        'npu_ops': types.SimpleNamespace(dropout=dropout),
        'npu_optimizer': types.SimpleNamespace(
            NPUDistributedOptimizer=lambda opt: Wrapper('distributed', opt)),
        'loss_scale_manager': types.SimpleNamespace(
            ExponentialUpdateLossScaleManager=lambda **kw: ('manager', kw)),
        'loss_scale_optimizer': types.SimpleNamespace(
            NPULossScaleOptimizer=lambda opt, m: Wrapper('loss_scale', opt, m)),
    }
