"""modelatlas.catalog.vocab.Phrases: one way for the web, the CLI, charts and reports to say a word."""

from __future__ import annotations

from modelatlas.catalog.vocab import Phrases

OWN = {"released": ("Release date", "发布日期"), "count": ("{n} models", "共 {n} 个模型")}


def test_a_modules_own_words_come_first_then_the_vocabulary_labels() -> None:
    say = Phrases(OWN)
    assert say("released", "zh") == "发布日期" and say("released", "en") == "Release date"
    assert say("nlp", "zh") == "自然语言处理"  # from LABELS
    assert say("no-such-key", "zh") == "no-such-key"


def test_labels_first_shows_the_vocabulary_label() -> None:
    assert Phrases(OWN, labels_first=True)("released", "zh") == "发布时间"


def test_values_are_filled_in() -> None:
    assert Phrases(OWN)("count", "zh", n=3) == "共 3 个模型"
    assert Phrases(OWN)("count", "en", n=3) == "3 models"
