"""cnews_loader: vocabulary, ids, padding, labels, categories, batches, cache."""

import os

import numpy as np
import pytest

import cnews_loader as loader
from conftest import CNEWS_SAMPLE, CNEWS_VOCAB, TITLES


def write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return str(path)


def test_vocab_is_pad_then_most_frequent_with_ties_in_first_seen_order(tmp_path):
    train = write(tmp_path / 'train.txt',
                  '体育\tbccaa\n财经\tdcb\n体育\t\n体育\txyz\n')
    words = loader.build_vocab(train, str(tmp_path / 'vocab.txt'), vocab_size=5)
    # counts: c 3, b 2, a 2, d 1, x 1 ... b is seen before a, d before x.
    assert words == ['<PAD>', 'c', 'b', 'a', 'd']
    read, word_to_id = loader.read_vocab(str(tmp_path / 'vocab.txt'))
    assert read == words
    assert word_to_id['<PAD>'] == 0 and word_to_id['d'] == 4


def test_canonical_vocab_keeps_whitespace_entries():
    words, word_to_id = loader.read_vocab(CNEWS_VOCAB)
    assert len(words) == 5000 and words[0] == '<PAD>'
    # The reference stripped these three into one '' entry; here each is usable.
    assert {' ', '\xa0', '\x1f'} <= set(word_to_id)
    assert '' not in word_to_id


def test_encode_truncates_from_the_front_and_pads_in_front():
    enc = loader.Encoder({'<PAD>': 0, 'a': 1, 'b': 2, 'c': 3, 'd': 4})
    x = enc.encode(['abcd', 'ab', ''], 3)
    assert x.dtype == np.int32
    np.testing.assert_array_equal(x, [[2, 3, 4],   # the tail is kept
                                      [0, 1, 2],   # padded in front
                                      [0, 0, 0]])


def test_unknown_characters_are_dropped_before_truncation():
    enc = loader.Encoder({'<PAD>': 0, 'a': 1, 'b': 2})
    x = enc.encode(['a?b??', '??', 'ba\U0001F600'], 2)
    np.testing.assert_array_equal(x, [[1, 2], [0, 0], [2, 1]])


def test_vectorised_encoder_matches_the_plain_definition(sample_lines):
    _, word_to_id = loader.read_vocab(CNEWS_VOCAB)
    texts, _, _ = loader.read_file(CNEWS_SAMPLE)
    for seq_length in (7, 600, 3000):
        plain = loader.pad_sequences(
            [[word_to_id[c] for c in t if c in word_to_id] for t in texts], seq_length)
        np.testing.assert_array_equal(
            loader.Encoder(word_to_id).encode(texts, seq_length), plain)


def test_process_file_gives_one_hot_float_labels_in_category_order(tmp_path):
    categories, cat_to_id = loader.read_category()
    assert categories[:3] == ['体育', '财经', '房产'] and categories[-1] == '娱乐'
    data = write(tmp_path / 'd.txt', '娱乐\t明星\n体育\t球赛\n')
    word_to_id = {'<PAD>': 0, '明': 1, '球': 2}
    x, y, report = loader.process_file(data, word_to_id, cat_to_id, seq_length=4)
    assert y.dtype == np.float32 and y.shape == (2, 10)
    np.testing.assert_array_equal(y.argmax(1), [9, 0])
    np.testing.assert_array_equal(y.sum(1), [1, 1])
    np.testing.assert_array_equal(x, [[0, 0, 0, 1], [0, 0, 0, 2]])
    assert report.total == 0


def test_real_sample_has_all_ten_categories():
    _, cat_to_id = loader.read_category()
    texts, labels, report = loader.read_file(CNEWS_SAMPLE, cat_to_id)
    assert len(texts) == 1000 and report.total == 0
    assert set(labels) == set(cat_to_id)


def test_categories_file_sets_labels_and_their_order():
    class_file = os.path.join(TITLES, 'class.txt')
    categories, cat_to_id = loader.read_category(class_file)
    assert len(categories) == 10 and categories[0] == 'finance'
    _, word_to_id = loader.read_vocab(CNEWS_VOCAB)
    x, y, report = loader.process_file(os.path.join(TITLES, 'dev.txt'), word_to_id,
                                       cat_to_id, seq_length=32)
    assert x.shape == (10000, 32) and report.total == 0
    # dev.txt has 1000 titles of each class.
    np.testing.assert_array_equal(y.sum(0), [1000] * 10)


def test_cnews_labels_do_not_fit_another_categories_file(tmp_path):
    _, cat_to_id = loader.read_category(os.path.join(TITLES, 'class.txt'))
    with pytest.raises(loader.DataError, match='--categories_file'):
        loader.read_file(CNEWS_SAMPLE, cat_to_id)


def test_batches_cover_every_row_once_and_reshuffle_each_epoch():
    x = np.arange(10).reshape(10, 1)
    y = np.arange(10)
    rng = np.random.RandomState(0)
    first = [b for b, _ in loader.batch_iter(x, y, 4, rng)]
    second = [b for b, _ in loader.batch_iter(x, y, 4, rng)]
    assert [len(b) for b in first] == [4, 4, 2]
    assert sorted(np.concatenate(first).ravel()) == list(range(10))
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))
    static = list(loader.batch_iter(x, y, 4, rng, drop_remainder=True))
    assert [len(b) for b, _ in static] == [4, 4]
    for xb, yb in static:
        np.testing.assert_array_equal(xb.ravel(), yb)  # rows stay paired


def test_cache_returns_the_same_arrays_and_follows_the_file(tmp_path):
    _, cat_to_id = loader.read_category()
    _, word_to_id = loader.read_vocab(CNEWS_VOCAB)
    data = write(tmp_path / 'd.txt', '体育\t篮球比赛\n财经\t股市大涨\n')
    cache = str(tmp_path / 'cache')
    first = loader.process_file(data, word_to_id, cat_to_id, 8, cache_dir=cache)
    assert len(os.listdir(cache)) == 1
    again = loader.process_file(data, word_to_id, cat_to_id, 8, cache_dir=cache)
    for a, b in zip(first[:2], again[:2]):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    write(data, '体育\t股市\n')  # same size class of change: new content
    changed = loader.process_file(data, word_to_id, cat_to_id, 8, cache_dir=cache)
    assert changed[0].shape == (1, 8)
    np.testing.assert_array_equal(
        changed[0], loader.Encoder(word_to_id).encode(['股市'], 8))
    # Another seq_length is another cache entry, not a reshaped old one.
    assert loader.process_file(data, word_to_id, cat_to_id, 5,
                               cache_dir=cache)[0].shape == (1, 5)
