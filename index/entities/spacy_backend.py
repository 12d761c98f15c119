"""The optional spaCy backend (`pip install 'newsreader[spacy]'` plus any installed pipeline,
e.g. en_core_web_sm). spaCy's labels are mapped onto PERSON / ORG / PLACE / MISC."""

from __future__ import annotations

from index.entities.base import MISC, ORG, PERSON, PLACE, Span

# OntoNotes labels; those not listed (dates, numbers, money...) are not names and are dropped.
LABELS = {
    "PERSON": PERSON,
    "PER": PERSON,
    "ORG": ORG,
    "GPE": PLACE,
    "LOC": PLACE,
    "FAC": PLACE,
    "NORP": MISC,
    "EVENT": MISC,
    "PRODUCT": MISC,
    "WORK_OF_ART": MISC,
    "LAW": MISC,
    "LANGUAGE": MISC,
    "MISC": MISC,
}


class SpacyUnavailable(Exception):
    """spaCy or the named pipeline is not installed; the message says how to get it."""


class SpacyExtractor:
    name = "spacy"

    def __init__(self, model: str) -> None:
        try:
            import spacy
        except ImportError:
            raise SpacyUnavailable(
                "spaCy is not installed (pip install 'newsreader[spacy]')"
            ) from None
        try:
            # Only what finds names: the parser and lemmatizer cost time and add nothing here.
            self._nlp = spacy.load(model, exclude=["parser", "lemmatizer"])
        except OSError:
            raise SpacyUnavailable(
                f"the spaCy pipeline {model!r} is not installed"
                f" (e.g. python -m spacy download {model})"
            ) from None
        if "ner" not in self._nlp.pipe_names:
            raise SpacyUnavailable(f"the spaCy pipeline {model!r} has no entity recognizer")
        self.model = model
        self._version = f"{spacy.__version__}/{model}-{self._nlp.meta.get('version', '?')}"

    @property
    def version(self) -> str:
        return self._version

    def extract(self, text: str) -> list[Span]:
        doc = self._nlp(text)
        spans = []
        for ent in doc.ents:
            label = LABELS.get(ent.label_)
            if label is None:
                continue
            start, end = ent.start_char, ent.end_char
            # spaCy keeps a possessive inside a name now and then ("Assad's"): not part of it.
            if text.endswith(("'s", "’s"), start, end) and end - start > 2:
                end -= 2
            spans.append(Span(start, end, text[start:end], label))
        return spans
