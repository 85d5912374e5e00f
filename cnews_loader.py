"""Reads cnews-format data: categories, vocabulary, padded id sequences, batches.

A data file holds one example a line, ``label<TAB>text``, in UTF-8. Text is
read as a list of characters; characters outside the vocabulary are dropped;
each sequence is cut from the front and padded with 0 at the front to
``seq_length``, so the end of every article is kept.

Everything here is numpy and plain Python: no TensorFlow import, so the data
path can be tested and timed on its own.
"""

import codecs
import collections
import hashlib
import io
import json
import logging
import os
import tempfile
import time

import numpy as np

# The category order fixed by the reference implementation; label ids are
# positions in this tuple, so checkpoints depend on it.
CNEWS_CATEGORIES = ('体育', '财经', '房产', '家居', '教育',
                    '科技', '时尚', '时政', '游戏', '娱乐')
PAD = '<PAD>'

# Reasons a line is skipped, in the order the report lists them.
SKIP_REASONS = ('blank line', 'no tab', 'more than one tab', 'empty text',
                'unknown label', 'undecodable bytes')

# Bump when the cache file layout or the encoding rules change.
_CACHE_VERSION = 1

logger = logging.getLogger(__name__)


class DataError(ValueError):
    """Bad input data. The message names the file and how to fix it."""


class SkipReport(object):
    """Counts the lines a reader skipped and keeps the first few of them."""

    def __init__(self, path, max_examples=5):
        self.path = path
        self.max_examples = max_examples
        self.counts = collections.OrderedDict((r, 0) for r in SKIP_REASONS)
        self.examples = []  # (line number, reason), 1-based line numbers

    def add(self, lineno, reason):
        self.counts[reason] += 1
        if len(self.examples) < self.max_examples:
            self.examples.append((lineno, reason))

    @property
    def total(self):
        return sum(self.counts.values())

    def describe(self):
        """One line per shown example, then the counts; '' when none."""
        if not self.total:
            return ''
        counts = ', '.join('%d %s' % (n, r)
                           for r, n in self.counts.items() if n)
        shown = ''.join('\n  %s:%d: %s' % (self.path, n, r)
                        for n, r in self.examples)
        return 'skipped %d line(s) of %s (%s):%s' % (
            self.total, self.path, counts, shown)

    def to_json(self):
        return {'counts': dict(self.counts),
                'examples': [list(e) for e in self.examples]}

    @classmethod
    def from_json(cls, path, obj):
        report = cls(path)
        report.counts.update(obj['counts'])
        report.examples = [tuple(e) for e in obj['examples']]
        return report


def _read_bytes(path, what):
    if not os.path.isfile(path):
        raise DataError('%s not found: %s' % (what, path))
    with open(path, 'rb') as f:
        data = f.read()
    # Windows editors often start UTF-8 files with a byte-order mark; left
    # in, it would glue itself to the first label or vocabulary entry.
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if not data.strip():
        raise DataError('%s is empty: %s' % (what, path))
    return data


def _looks_like_gbk(raw_lines):
    """True when most lines fail UTF-8 but decode as GB18030 (GBK)."""
    bad = 0
    for raw in raw_lines[:200]:
        try:
            raw.decode('utf-8')
        except UnicodeDecodeError:
            bad += 1
    return bad * 2 > min(len(raw_lines), 200)


def read_category(categories_file=None):
    """Returns the category names and a name -> id dict.

    Args:
        categories_file: a UTF-8 file with one category name a line (as
            ``class.txt`` of THUCNews titles), or None for the cnews order.

    Raises:
        DataError: the file is missing or empty, or repeats a name.
    """
    if categories_file is None:
        categories = list(CNEWS_CATEGORIES)
    else:
        text = _decode(_read_bytes(categories_file, 'categories file'),
                       categories_file)
        categories = [c.strip() for c in text.splitlines() if c.strip()]
        repeated = sorted(c for c, n in collections.Counter(categories).items()
                          if n > 1)
        if repeated:
            raise DataError('categories file %s repeats %s; list each category '
                            'once' % (categories_file, ', '.join(repeated)))
        if len(categories) < 2:
            raise DataError('categories file %s names %d category; a classifier '
                            'needs at least two' % (categories_file, len(categories)))
    return categories, {c: i for i, c in enumerate(categories)}


def _decode(data, path):
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError as e:
        raise DataError('%s is not UTF-8 (%s); convert it, e.g. '
                        '`iconv -f GBK -t UTF-8`' % (path, e.reason))


def _decoded_lines(data, path):
    """The lines of data as str, None for a line that is not UTF-8.

    One decode of the whole file when it is valid UTF-8 (the usual case, and
    several times faster); line by line otherwise, so that one bad line
    costs only itself. A '\n' byte never occurs inside a UTF-8 sequence, so
    both ways cut the same lines.
    """
    try:
        return data.decode('utf-8').split('\n')
    except UnicodeDecodeError:
        pass
    raw_lines = data.split(b'\n')
    if _looks_like_gbk([r for r in raw_lines if r.strip()]):
        raise DataError('%s is not UTF-8 (it looks like GBK); convert it with '
                        '`iconv -f GBK -t UTF-8 in > out`' % path)
    lines = []
    for raw in raw_lines:
        try:
            lines.append(raw.decode('utf-8'))
        except UnicodeDecodeError:
            lines.append(None)
    return lines


def read_file(path, cat_to_id=None, strict=False):
    """Reads a ``label<TAB>text`` file.

    A line is kept when it has exactly one tab, a non-empty text and (when
    cat_to_id is given) a known label; leading and trailing white space of
    the line is dropped first, as the reference reader does.

    Args:
        path: the data file.
        cat_to_id: known labels, or None to keep any label.
        strict: raise on the first bad line instead of skipping it.

    Returns:
        (texts, labels, report): lists of str of equal length, and the
        SkipReport of the lines left out.

    Raises:
        DataError: missing or empty file, a file in another encoding, labels
            that do not match the categories, or any bad line when strict.
    """
    lines = _decoded_lines(_read_bytes(path, 'data file'), path)
    texts, labels = [], []
    report = SkipReport(path)
    unknown = collections.Counter()
    last = len(lines) - 1
    for i, decoded in enumerate(lines):
        reason = None
        if decoded is None:
            reason = 'undecodable bytes'
        else:
            line = decoded.strip()
            if not line:
                if i == last and not decoded:
                    break  # the newline at the end of the file
                reason = 'blank line'
            elif '\t' not in line:
                # strip() also ate a tab after the label: the text is empty.
                after = decoded[len(decoded) - len(decoded.lstrip()) + len(line):]
                reason = 'empty text' if '\t' in after else 'no tab'
            else:
                fields = line.split('\t')
                if len(fields) != 2:
                    reason = 'more than one tab'
                elif not fields[1]:
                    reason = 'empty text'
                elif cat_to_id is not None and fields[0] not in cat_to_id:
                    reason = 'unknown label'
                    unknown[fields[0]] += 1
                else:
                    labels.append(fields[0])
                    texts.append(fields[1])
                    continue
        if strict:
            raise DataError('%s:%d: %s (--strict stops at the first bad line)'
                            % (path, i + 1, reason))
        report.add(i + 1, reason)
    if unknown and sum(unknown.values()) * 2 > len(texts) + sum(unknown.values()):
        seen = ', '.join(l for l, _ in unknown.most_common(5))
        raise DataError('most labels of %s are not among the categories (%s); '
                        'pass --categories_file with the file\'s label set'
                        % (path, seen))
    if not texts:
        raise DataError('%s has no usable line; expected "label<TAB>text" '
                        'lines in UTF-8. %s' % (path, report.describe()))
    return texts, labels, report


def build_vocab(train_path, vocab_path, vocab_size=5000, cat_to_id=None,
                strict=False):
    """Writes the vocabulary of a training file and returns its words.

    The vocabulary is ``<PAD>`` followed by the ``vocab_size - 1`` most
    frequent characters; ties keep the order of first appearance, as
    ``collections.Counter.most_common`` does in the reference code.
    """
    if vocab_size < 2:
        raise ValueError('vocab_size is %d; it must be at least 2' % vocab_size)
    texts, _, _ = read_file(train_path, cat_to_id, strict)
    counter = collections.Counter(''.join(texts))
    words = [PAD] + [w for w, _ in counter.most_common(vocab_size - 1)]
    atomic_write(vocab_path, ('\n'.join(words) + '\n').encode('utf-8'))
    return words


def read_vocab(vocab_path):
    """Reads a vocabulary file: one entry a line, ``<PAD>`` first.

    Entries are taken as they stand, white-space characters included (the
    reference reader stripped them, which made its ' ' entry unusable).

    Returns:
        (words, word_to_id).

    Raises:
        DataError: the file is missing, empty, not UTF-8, has an empty or a
            repeated entry, or does not start with <PAD>.
    """
    text = _decode(_read_bytes(vocab_path, 'vocabulary file'), vocab_path)
    words = text.split('\n')
    if words[-1] == '':
        words.pop()
    words = [w[:-1] if w.endswith('\r') else w for w in words]
    for i, w in enumerate(words):
        if w == '':
            raise DataError('vocabulary file %s has an empty entry at line %d; '
                            'delete the file to rebuild it from the training '
                            'data' % (vocab_path, i + 1))
    if words[0] != PAD:
        raise DataError('vocabulary file %s starts with %r, not %s; delete it to '
                        'rebuild it from the training data' % (vocab_path, words[0], PAD))
    word_to_id = {}
    for i, w in enumerate(words):
        if w in word_to_id:
            raise DataError('vocabulary file %s repeats %r at lines %d and %d; '
                            'delete it to rebuild it from the training data'
                            % (vocab_path, w, word_to_id[w] + 1, i + 1))
        word_to_id[w] = i
    return words, word_to_id


def vocab_digest(words):
    """A sha256 of the vocabulary entries, stored beside checkpoints."""
    return hashlib.sha256('\n'.join(words).encode('utf-8')).hexdigest()


class Encoder(object):
    """Turns texts into padded id matrices with one vectorized lookup.

    The lookup table maps every Unicode code point to its id, -1 when the
    character is not in the vocabulary; multi-character entries (<PAD>)
    are never produced by text and are left out of the table.
    """

    def __init__(self, word_to_id):
        # Every code point (4.4 MB), so that the lookup is one take.
        self.table = np.full(0x110000, -1, dtype=np.int32)
        for w, i in word_to_id.items():
            if len(w) == 1:
                self.table[ord(w)] = i

    def lookup(self, texts):
        """Returns (ids, lengths): the kept ids of all texts end to end."""
        points = np.frombuffer(''.join(texts).encode('utf-32-le'), dtype=np.uint32)
        ids = self.table.take(points)
        keep = ids >= 0
        # Kept characters per text: its length less its unknown characters,
        # found by position (few, so no per-character owner array).
        lengths = np.array([len(t) for t in texts], dtype=np.int64)
        unknown = np.flatnonzero(~keep)
        owner = np.searchsorted(np.cumsum(lengths), unknown, side='right')
        kept_lengths = lengths - np.bincount(owner, minlength=len(texts))
        return ids[keep], kept_lengths

    def encode(self, texts, seq_length, chunk=2048):
        """Returns an int32 [len(texts), seq_length] matrix, padded in front.

        Texts are encoded chunk by chunk, so that the temporary arrays stay
        small (a cnews-sized corpus is 65 million characters).
        """
        out = np.zeros((len(texts), seq_length), dtype=np.int32)
        for start in range(0, len(texts), chunk):
            part = texts[start:start + chunk]
            out[start:start + len(part)] = self._encode_chunk(part, seq_length)
        return out

    def _encode_chunk(self, texts, seq_length):
        ids, lengths = self.lookup(texts)
        # Row r takes the seq_length positions that end where its text ends;
        # positions before the text's start read the 0 put in front of ids.
        ends = np.cumsum(lengths)
        # Positions in ids, shifted by one for the 0 in front; int32 halves
        # the index matrix whenever a chunk holds under 2**31 characters.
        dtype = np.int32 if len(ids) < 2 ** 31 - 1 else np.int64
        idx = (ends[:, None] - seq_length + 1).astype(dtype) + np.arange(
            seq_length, dtype=dtype)  # [n, L]
        idx[idx <= (ends - lengths).astype(dtype)[:, None]] = 0
        padded = np.concatenate([np.zeros(1, dtype=np.int32), ids])
        return padded.take(idx)


def pad_sequences(sequences, seq_length):
    """Pads and truncates id lists at the front, as Keras' defaults do."""
    out = np.zeros((len(sequences), seq_length), dtype=np.int32)
    for row, seq in enumerate(sequences):
        tail = list(seq)[-seq_length:] if seq_length else []
        if tail:
            out[row, seq_length - len(tail):] = tail
    return out


def to_one_hot(label_ids, num_classes):
    """float32 [n, num_classes] one-hot rows."""
    out = np.zeros((len(label_ids), num_classes), dtype=np.float32)
    out[np.arange(len(label_ids)), label_ids] = 1.0
    return out


def atomic_write(path, data):
    """Writes bytes so that readers see the old file or the new, never half."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp-')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        # mkstemp makes the file private; give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


# A digest remembered by file identity is trusted only when the file was
# last changed this many seconds before it was hashed: a later write then
# moves ctime past the remembered one (git's "racily clean" rule).
_STAT_TRUST_SECONDS = 2.0


def _file_identity(st):
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _file_digest(path, memo_dir=None):
    """sha256 of the file, remembered in memo_dir by (inode, size, times).

    Hashing 130 MB takes about a second; the memo makes a cache hit cost a
    stat. It is never stale: any write changes ctime (and utime cannot set
    ctime back), and a digest taken within _STAT_TRUST_SECONDS of the last
    change is not remembered.
    """
    memo = None
    if memo_dir:
        memo = os.path.join(memo_dir, hashlib.sha256(
            os.path.abspath(path).encode('utf-8')).hexdigest()[:32] + '.digest.json')
        try:
            with open(memo) as f:
                saved = json.load(f)
            if saved['identity'] == _file_identity(os.stat(path)):
                return saved['sha256']
        except (OSError, ValueError, KeyError):
            pass
    before = os.stat(path)
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 22), b''):
            h.update(block)
    digest = h.hexdigest()
    changed = max(before.st_mtime_ns, before.st_ctime_ns) / 1e9
    if (memo and _file_identity(os.stat(path)) == _file_identity(before)
            and time.time() - changed >= _STAT_TRUST_SECONDS):
        try:
            atomic_write(memo, json.dumps({'identity': _file_identity(before),
                                           'sha256': digest}).encode('utf-8'))
        except OSError as e:
            logger.warning('could not write %s: %s', memo, e)
    return digest


def process_file(path, word_to_id, cat_to_id, seq_length=600, strict=False,
                 cache_dir=None):
    """Reads and encodes a data file.

    Args:
        path: a ``label<TAB>text`` file.
        word_to_id: the vocabulary.
        cat_to_id: the categories.
        seq_length: the padded length.
        strict: any bad line is an error.
        cache_dir: where encoded files are cached, keyed by the file's bytes,
            the vocabulary, the categories and seq_length; None for no cache.

    Returns:
        (x, y, report): int32 [n, seq_length] ids, float32 [n, classes]
        one-hot labels, and the SkipReport of the lines left out.
    """
    cache_path = None
    if cache_dir:
        key = hashlib.sha256(json.dumps([
            _CACHE_VERSION, _file_digest(path, cache_dir), vocab_digest(sorted(
                word_to_id, key=word_to_id.get)),
            sorted(cat_to_id.items(), key=lambda kv: kv[1]), seq_length,
        ]).encode('utf-8')).hexdigest()
        cache_path = os.path.join(cache_dir, key[:32] + '.npz')
        cached = _load_cache(cache_path, path, strict)
        if cached is not None:
            x, label_ids, report = cached
            return x, to_one_hot(label_ids, len(cat_to_id)), report
    texts, labels, report = read_file(path, cat_to_id, strict)
    x = Encoder(word_to_id).encode(texts, seq_length)
    label_ids = np.array([cat_to_id[l] for l in labels], dtype=np.int32)
    if cache_path:
        _save_cache(cache_path, x, label_ids, report, len(word_to_id))
    return x, to_one_hot(label_ids, len(cat_to_id)), report


def _save_cache(cache_path, x, label_ids, report, vocab_size):
    buf = io.BytesIO()
    # uint16 halves the file when every id fits, which it does for 5000 words.
    x_store = x.astype(np.uint16) if vocab_size <= 65536 else x
    np.savez(buf, x=x_store, labels=label_ids,
             report=np.array(json.dumps(report.to_json())))
    try:
        atomic_write(cache_path, buf.getvalue())
    except OSError as e:
        logger.warning('could not write the data cache %s: %s', cache_path, e)


def _load_cache(cache_path, path, strict):
    if not os.path.isfile(cache_path):
        return None
    try:
        with np.load(cache_path) as z:
            x = z['x'].astype(np.int32)
            label_ids = z['labels']
            report = SkipReport.from_json(path, json.loads(str(z['report'])))
    except (OSError, ValueError, KeyError) as e:
        logger.warning('ignoring unreadable data cache %s: %s', cache_path, e)
        return None
    if strict and report.total:
        return None  # re-read so that the first bad line is named
    return x, label_ids, report


def batch_iter(x, y, batch_size=64, rng=None, drop_remainder=False):
    """Yields (x_batch, y_batch) over one shuffled pass of the data.

    Args:
        x, y: arrays of equal first dimension.
        batch_size: rows per batch.
        rng: a numpy RandomState for the shuffle (the global one if None).
        drop_remainder: leave out the last partial batch, so that every
            batch has the same shape (needed for static-shape devices).
    """
    n = len(x)
    order = (rng or np.random).permutation(n)
    stop = n - n % batch_size if drop_remainder else n
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], y[idx]
