"""The wording lexicon as a pure checker: prohibited phrases (zh-Hans and English) found in a text.

The lexicon is data (``lexicon.yaml``): categories (threat, insult, impersonation, borrow_to_repay,
third_party_disclosure, lawsuit_threat, legal_filing...), each with the rule id it breaks in each pack
and when it applies (always; only for text to a third party; only when the debt is time-barred; only
when the customer's legal case has not reached the category's ``stage``: a message claiming a legal
step, 立案 or 判决, is a false claim unless this customer's case reached that step). Matching is done
on a normalised text: NFKC (full-width letters become ASCII), case-folded, zero-width characters
removed; zh-Hans phrases match as substrings of the text with all whitespace removed, English phrases
on word boundaries with any run of spaces between words; ``re:`` entries are regular expressions.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from arrears.errors import ValidationFailed

LEXICON_PATH = Path(__file__).parent / "lexicon.yaml"
_APPLIES = ("always", "to_third_party", "time_barred", "legal_stage")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    phrase: str
    language: str


@dataclass(frozen=True)
class _Category:
    name: str
    rules: Mapping[str, str]
    applies: str
    patterns: Mapping[str, tuple[tuple[str, re.Pattern[str]], ...]]
    stage: str = ""  # for applies: legal_stage, the legal stage whose claim this category finds


@dataclass(frozen=True)
class Lexicon:
    version: str
    categories: tuple[_Category, ...]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({lang for c in self.categories for lang in c.patterns}))


def check_wording(
    text: str,
    *,
    language: str,
    to_third_party: bool,
    pack: str = "CN",
    time_barred: bool = False,
    legal_stages: frozenset[str] | None = None,
    lexicon: Lexicon | None = None,
) -> list[Finding]:
    """Every prohibited phrase of `language` found in `text`, with the rule id it breaks in `pack`.

    `legal_stages`: the legal stages this customer's cases reached (arrears.legal); a claim of a stage
    not among them is a finding. None (a template, a note: no customer) leaves legal claims unjudged."""
    lex = lexicon or load_lexicon()
    lang = language.lower()
    flat = normalise(text)
    squeezed = _SPACE.sub("", flat)
    findings: list[Finding] = []
    for category in lex.categories:
        if category.applies == "to_third_party" and not to_third_party:
            continue
        if category.applies == "time_barred" and not time_barred:
            continue
        if category.applies == "legal_stage" and (legal_stages is None or category.stage in legal_stages):
            continue
        rule = category.rules.get(pack.upper())
        if rule is None:
            continue
        for phrase, pattern in category.patterns.get(lang, ()):
            if pattern.search(squeezed if lang == "zh-hans" else flat):
                findings.append(Finding(rule=rule, category=category.name, phrase=phrase, language=lang))
    return findings


def normalise(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).casefold()).strip()


@functools.lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationFailed(f"cannot read the lexicon {path}: {exc}", field="lexicon") from None
    return lexicon_from_mapping(data)


def lexicon_from_mapping(data: Any) -> Lexicon:
    if not isinstance(data, Mapping) or not isinstance(data.get("categories"), Mapping):
        raise ValidationFailed("a lexicon has categories", field="categories")
    categories = []
    for name, raw in data["categories"].items():
        label = f"categories.{name}"
        if not isinstance(raw, Mapping) or raw.get("applies") not in _APPLIES:
            raise ValidationFailed(f"{label}.applies must be one of {', '.join(_APPLIES)}", field=f"{label}.applies")
        rules = raw.get("rules")
        phrases = raw.get("phrases")
        stage = str(raw.get("stage") or "")
        if raw["applies"] == "legal_stage" and not stage:
            raise ValidationFailed(
                f"{label}.stage is required when it applies to a legal stage", field=f"{label}.stage"
            )
        if not isinstance(rules, Mapping) or not isinstance(phrases, Mapping):
            raise ValidationFailed(f"{label} needs rules and phrases", field=label)
        patterns = {
            str(lang).lower(): tuple(_compile(str(p), str(lang).lower(), f"{label}.phrases.{lang}") for p in items)
            for lang, items in phrases.items()
        }
        categories.append(
            _Category(
                name=str(name),
                rules={str(k).upper(): str(v) for k, v in rules.items()},
                applies=str(raw["applies"]),
                patterns=patterns,
                stage=stage,
            )
        )
    return Lexicon(version=str(data.get("version", "")), categories=tuple(categories))


def _compile(phrase: str, lang: str, label: str) -> tuple[str, re.Pattern[str]]:
    try:
        if phrase.startswith("re:"):
            return phrase[3:], re.compile(phrase[3:])
        norm = normalise(phrase)
        if lang == "zh-hans":
            return phrase, re.compile(re.escape(_SPACE.sub("", norm)))
        words = r"\s+".join(re.escape(w) for w in norm.split(" "))
        return phrase, re.compile(rf"(?<!\w){words}(?!\w)")
    except re.error as exc:
        raise ValidationFailed(f"{label}: bad pattern {phrase!r}: {exc}", field=label) from None
