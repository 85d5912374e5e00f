"""Bad input gives a clear message and exit status 2, never a traceback.

The CLI cases run ``run_cnn.py`` as a subprocess on a few real cnews lines;
the loader cases and the property test call cnews_loader directly.
"""

import os

import pytest
from hypothesis import given, settings, strategies as st

import cnews_loader as loader
from conftest import run_cli, write_split

# One example of each kind of bad line, as the bytes of the line.
BAD_LINES = {
    'blank line': b'   ',
    'no tab': u'体育 但是没有制表符'.encode('utf-8'),
    'more than one tab': u'体育\t第一段\t第二段'.encode('utf-8'),
    'empty text': u'体育\t  '.encode('utf-8'),
    'unknown label': u'天气\t今天晴'.encode('utf-8'),
    'undecodable bytes': u'体育\t'.encode('utf-8') + b'\xff\xfe\xfa',
}
assert set(BAD_LINES) == set(loader.SKIP_REASONS)

TINY = ['--seq_length', '20', '--batch_size', '8', '--max_steps', '1',
        '--print_per_batch', '1', '--device', 'cpu', '--cache_dir', '']


def fails(args, *expected):
    """Runs the CLI, expects exit 2, each expected text and no traceback."""
    result = run_cli(args)
    out = result.stdout + result.stderr
    assert result.returncode == 2, out
    assert 'Traceback' not in out, out
    assert 'ERROR: ' in out, out
    for text in expected:
        assert text in out, (text, out)
    return out


def write_bytes(path, data):
    with open(path, 'wb') as f:
        f.write(data)
    return path


@pytest.fixture
def split(tmp_path, sample_lines):
    """40 train, 10 val, 10 test real lines and the canonical vocabulary."""
    return write_split(str(tmp_path / 'data'), sample_lines[:60], 40, 10)


@pytest.fixture(scope='module')
def trained(tmp_path_factory, sample_lines):
    """A checkpoint of a two-step run, for the test/predict cases."""
    folder = write_split(str(tmp_path_factory.mktemp('data')), sample_lines[:60], 40, 10)
    out = os.path.join(folder, 'out')
    result = run_cli(['train', '--data_path', folder, '--output_dir', out, '--seed', '1']
                     + TINY[:4] + ['--max_steps', '2'] + TINY[6:])
    assert result.returncode == 0, result.stdout + result.stderr
    # A checkpoint prefix (not a folder) is resolved without TensorFlow, so
    # these cases stop at the vocabulary before any TensorFlow import.
    best = os.path.join(out, 'checkpoints', 'best')
    index = [n for n in os.listdir(best) if n.endswith('.index')]
    return folder, os.path.join(best, index[0][:-len('.index')])


# ---------------------------------------------------------------- CLI

def test_missing_data_file(tmp_path):
    empty = str(tmp_path / 'nothing')
    os.makedirs(empty)
    fails(['train', '--data_path', empty, '--output_dir', str(tmp_path / 'o')] + TINY,
          'data file not found', os.path.join(empty, 'cnews.train.txt'),
          '--data_path demo')


def test_empty_data_file(split, tmp_path):
    path = write_bytes(os.path.join(split, 'cnews.train.txt'), b'\n \n')
    fails(['train', '--data_path', split, '--output_dir', str(tmp_path / 'o')] + TINY,
          'data file is empty: %s' % path)


def test_gbk_data_file(split, tmp_path, sample_lines):
    path = os.path.join(split, 'cnews.train.txt')
    write_bytes(path, ''.join(sample_lines[:40]).encode('gb18030'))
    fails(['train', '--data_path', split, '--output_dir', str(tmp_path / 'o')] + TINY,
          '%s is not UTF-8 (it looks like GBK)' % path, 'iconv -f GBK -t UTF-8')


@pytest.mark.parametrize('content, expected', [
    (b'', 'vocabulary file is empty'),
    (u'<PAD>\n的\n是\n的\n'.encode('utf-8'), "repeats '的' at lines 2 and 4"),
    (u'的\n<PAD>\n'.encode('utf-8'), "starts with '的', not <PAD>"),
    (u'<PAD>\n的\n\n是\n'.encode('utf-8'), 'empty entry at line 3'),
], ids=['empty', 'duplicates', 'no-pad', 'empty-entry'])
def test_bad_vocabulary_train(split, tmp_path, content, expected):
    vocab = write_bytes(str(tmp_path / 'vocab.txt'), content)
    fails(['train', '--data_path', split, '--vocab_file', vocab,
           '--output_dir', str(tmp_path / 'o')] + TINY, expected, vocab)


@pytest.mark.parametrize('mode', ['test', 'predict'])
def test_missing_vocabulary_test_predict(trained, tmp_path, mode):
    folder, prefix = trained
    missing = str(tmp_path / 'no-such-vocab.txt')
    args = [mode, '--data_path', folder, '--checkpoint', prefix, '--vocab_file', missing,
            '--device', 'cpu', '--cache_dir', '']
    if mode == 'predict':
        args.append(u'新浪体育讯 比赛结束')
    fails(args, 'vocabulary file not found: %s' % missing)


def test_duplicate_vocabulary_test(trained, tmp_path):
    folder, prefix = trained
    vocab = write_bytes(str(tmp_path / 'vocab.txt'), u'<PAD>\n的\n的\n'.encode('utf-8'))
    fails(['test', '--data_path', folder, '--checkpoint', prefix, '--vocab_file', vocab,
           '--device', 'cpu', '--cache_dir', ''], "repeats '的'")


def test_categories_file_does_not_match(split, tmp_path):
    cats = write_bytes(str(tmp_path / 'class.txt'), b'finance\nrealty\nstocks\n')
    fails(['train', '--data_path', split, '--categories_file', cats,
           '--output_dir', str(tmp_path / 'o')] + TINY,
          'most labels of %s are not among the categories'
          % os.path.join(split, 'cnews.train.txt'), '--categories_file')


def test_categories_file_repeats_a_name(split, tmp_path):
    cats = write_bytes(str(tmp_path / 'class.txt'), u'体育\n财经\n体育\n'.encode('utf-8'))
    fails(['train', '--data_path', split, '--categories_file', cats,
           '--output_dir', str(tmp_path / 'o')] + TINY, 'repeats 体育')


def _insert(path, lineno, raw):
    """Puts raw in as line lineno (1-based) of the file."""
    with open(path, 'rb') as f:
        lines = f.read().split(b'\n')
    lines.insert(lineno - 1, raw)
    write_bytes(path, b'\n'.join(lines))


@pytest.mark.parametrize('reason', loader.SKIP_REASONS)
def test_bad_line_strict_names_the_line(split, tmp_path, reason):
    path = os.path.join(split, 'cnews.train.txt')
    _insert(path, 3, BAD_LINES[reason])
    fails(['train', '--strict', '--data_path', split,
           '--output_dir', str(tmp_path / 'o')] + TINY,
          '%s:3: %s (--strict' % (path, reason))


def test_bad_lines_skipped_and_reported(split, tmp_path):
    """Without --strict each kind is counted and shown with file:line."""
    train = os.path.join(split, 'cnews.train.txt')
    val = os.path.join(split, 'cnews.val.txt')
    kinds = list(loader.SKIP_REASONS)
    for n, reason in enumerate(kinds[:3]):
        _insert(train, 2 + 2 * n, BAD_LINES[reason])
    for n, reason in enumerate(kinds[3:]):
        _insert(val, 2 + 2 * n, BAD_LINES[reason])
    result = run_cli(['train', '--data_path', split,
                      '--output_dir', str(tmp_path / 'o')] + TINY)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert 'Traceback' not in out
    for path, part in ((train, kinds[:3]), (val, kinds[3:])):
        counts = ', '.join('1 %s' % r for r in part)
        assert 'skipped 3 line(s) of %s (%s):' % (path, counts) in out, out
        for n, reason in enumerate(part):
            assert '  %s:%d: %s' % (path, 2 + 2 * n, reason) in out, out
    assert 'Train 40, val 10 examples' in out


# ---------------------------------------------------------------- loader

CAT_TO_ID = loader.read_category()[1]
GOOD = u'体育\t比赛结束'.encode('utf-8')


@pytest.mark.parametrize('reason', loader.SKIP_REASONS)
def test_read_file_counts_each_reason(tmp_path, reason):
    path = write_bytes(str(tmp_path / 'f.txt'),
                       b'\n'.join([GOOD, BAD_LINES[reason], GOOD, b'']))
    texts, labels, report = loader.read_file(path, CAT_TO_ID)
    assert texts == [u'比赛结束'] * 2 and labels == [u'体育'] * 2
    assert report.total == 1 and report.counts[reason] == 1
    assert report.examples == [(2, reason)]
    assert '%s:2: %s' % (path, reason) in report.describe()
    with pytest.raises(loader.DataError, match='f.txt:2: %s' % reason):
        loader.read_file(path, CAT_TO_ID, strict=True)


def test_read_file_keeps_at_most_five_examples(tmp_path):
    lines = [GOOD] * 3 + [b'no tab'] * 8
    path = write_bytes(str(tmp_path / 'f.txt'), b'\r\n'.join(lines) + b'\r\n')
    texts, _, report = loader.read_file(path, CAT_TO_ID)
    assert len(texts) == 3 and report.counts['no tab'] == 8
    assert [n for n, _ in report.examples] == [4, 5, 6, 7, 8]
    assert report.describe().startswith('skipped 8 line(s) of %s (8 no tab):' % path)


@pytest.mark.parametrize('content, message', [
    (None, 'data file not found'),
    (b'', 'data file is empty'),
    (b' \n\r\n\t\n', 'data file is empty'),
    (b'no tab\n', 'has no usable line'),
], ids=['missing', 'empty', 'white-space', 'no-usable-line'])
def test_read_file_bad_files(tmp_path, content, message):
    path = str(tmp_path / 'f.txt')
    if content is not None:
        write_bytes(path, content)
    with pytest.raises(loader.DataError, match=message):
        loader.read_file(path, CAT_TO_ID)


def test_read_file_gbk(tmp_path, sample_lines):
    path = write_bytes(str(tmp_path / 'f.txt'),
                       ''.join(sample_lines[:5]).encode('gb18030'))
    with pytest.raises(loader.DataError, match='looks like GBK'):
        loader.read_file(path, CAT_TO_ID)


def test_read_file_byte_order_mark(tmp_path):
    path = write_bytes(str(tmp_path / 'f.txt'), b'\xef\xbb\xbf' + GOOD + b'\n' + GOOD)
    texts, labels, report = loader.read_file(path, CAT_TO_ID, strict=True)
    assert labels == [u'体育'] * 2 and report.total == 0


def test_read_file_last_line_white_space_is_counted(tmp_path):
    path = write_bytes(str(tmp_path / 'f.txt'), GOOD + b'\n  ')
    texts, _, report = loader.read_file(path, CAT_TO_ID)
    assert len(texts) == 1 and report.counts['blank line'] == 1


def test_read_file_mostly_unknown_labels(tmp_path):
    path = write_bytes(str(tmp_path / 'f.txt'),
                       b'\n'.join([GOOD, b'finance\tx', b'stocks\ty']))
    with pytest.raises(loader.DataError, match='pass --categories_file'):
        loader.read_file(path, CAT_TO_ID)


@pytest.mark.parametrize('content, message', [
    (None, 'vocabulary file not found'),
    (b'\n', 'vocabulary file is empty'),
    (u'<PAD>\nx\ny\nx\n'.encode('utf-8'), "repeats 'x' at lines 2 and 4"),
    (u'x\n<PAD>\n'.encode('utf-8'), 'not <PAD>'),
    (u'<PAD>\n\nx\n'.encode('utf-8'), 'empty entry at line 2'),
    (u'<PAD>\n的\n'.encode('gbk'), 'not UTF-8'),
], ids=['missing', 'empty', 'duplicates', 'no-pad', 'empty-entry', 'gbk'])
def test_read_vocab_bad(tmp_path, content, message):
    path = str(tmp_path / 'vocab.txt')
    if content is not None:
        write_bytes(path, content)
    with pytest.raises(loader.DataError, match=message):
        loader.read_vocab(path)


def test_read_vocab_keeps_white_space_entries(tmp_path):
    path = write_bytes(str(tmp_path / 'vocab.txt'),
                       u'\ufeff<PAD>\r\n \r\n的\r\n'.encode('utf-8'))
    words, word_to_id = loader.read_vocab(path)
    assert words == ['<PAD>', ' ', u'的'] and word_to_id[' '] == 1


@pytest.mark.parametrize('content, message', [
    (u'体育\n财经\n体育\n', 'repeats 体育'),
    (u'体育\n', 'names 1 category'),
    (u'', 'categories file is empty'),
])
def test_read_category_bad(tmp_path, content, message):
    path = write_bytes(str(tmp_path / 'class.txt'), content.encode('utf-8'))
    with pytest.raises(loader.DataError, match=message):
        loader.read_category(path)


# ---------------------------------------------------------------- property

LABELS = list(loader.CNEWS_CATEGORIES)
# Text characters: anything but the field and line separators.
TEXT_CHARS = st.characters(blacklist_characters='\t\n', blacklist_categories=('Cs',))
VALID_LINE = st.builds(
    lambda pad, label, text, end: (pad + label + '\t' + text + end).encode('utf-8'),
    st.sampled_from(['', ' ', u'\u3000']), st.sampled_from(LABELS),
    st.text(TEXT_CHARS, min_size=1, max_size=20).filter(lambda t: t.strip()),
    st.sampled_from(['', '\r', ' ']))
NOISE_LINE = st.one_of(
    st.binary(max_size=30).map(lambda b: b.replace(b'\n', b'')),
    st.text(max_size=30).map(lambda t: t.replace('\n', '').encode('utf-8', 'replace')),
    st.sampled_from(list(BAD_LINES.values())),
    st.tuples(st.sampled_from(LABELS + ['x', '']), st.text(max_size=5)).map(
        lambda lt: (lt[0] + '\t' + lt[1].replace('\n', '') + '\t').encode('utf-8')))


def expected_line(raw):
    """(label, text) when raw is a well-formed line with a known label."""
    try:
        fields = raw.decode('utf-8').strip().split('\t')
    except UnicodeDecodeError:
        return None
    if len(fields) == 2 and fields[0] in CAT_TO_ID and fields[1]:
        return fields[0], fields[1]
    return None


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.one_of(VALID_LINE, NOISE_LINE), max_size=25),
       final_newline=st.booleans(), strict=st.booleans())
def test_read_file_property(tmp_path_factory, lines, final_newline, strict):
    """Only DataError, and only when due; no valid line is ever lost."""
    folder = tmp_path_factory.mktemp('prop', numbered=True)
    data = b'\n'.join(lines) + (b'\n' if final_newline and lines else b'')
    path = write_bytes(str(folder / 'f.txt'), data)
    # The lines as a reader sees them: no byte-order mark, no final newline.
    body = data[3:] if data.startswith(b'\xef\xbb\xbf') else data
    seen = body.split(b'\n')
    if body.endswith(b'\n'):
        seen.pop()
    want = [w for w in map(expected_line, seen) if w is not None]
    try:
        texts, labels, report = loader.read_file(path, CAT_TO_ID, strict=strict)
    except loader.DataError as e:
        non_blank = [l for l in seen if l.strip()][:200]
        undecodable = sum(1 for l in non_blank if _undecodable(l))
        unknown = sum(1 for l in seen if _unknown(l))
        due = (not body.strip() or undecodable * 2 > len(non_blank)
               or not want or unknown * 2 > len(want) + unknown
               or (strict and len(want) < len(seen)))
        assert due, str(e)
        return
    assert list(zip(labels, texts)) == want
    assert report.total + len(texts) == len(seen)
    if strict:
        assert report.total == 0


def _undecodable(raw):
    try:
        raw.decode('utf-8')
    except UnicodeDecodeError:
        return True
    return False


def _unknown(raw):
    try:
        fields = raw.decode('utf-8').strip().split('\t')
    except UnicodeDecodeError:
        return False
    return len(fields) == 2 and fields[1] and fields[0] not in CAT_TO_ID
