"""Forms of the HTML pages. Writes go through factcheck.actions."""

from __future__ import annotations

from django import forms
from django.conf import settings

from factcheck import actions, imports
from factcheck import text as textlib
from factcheck.models import Article, Rating


class TooLarge(Exception):
    """The pasted text is over FACTCHECK_MAX_ARTICLE_CHARS (answered 413)."""


class ArticleForm(forms.ModelForm):
    url = forms.URLField(label="URL", required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Article
        fields = ["title", "url", "publisher", "published_on", "language", "text"]
        widgets = {
            "published_on": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 10}),
        }
        labels = {"published_on": "Published on"}

    def clean_url(self):
        url = self.cleaned_data.get("url") or ""
        if url and Article.objects.with_url(url).exists():
            raise forms.ValidationError("An article with this URL already exists.")
        return url

    def clean_text(self):
        text = textlib.normalize_text(self.cleaned_data.get("text") or "")
        limit = settings.FACTCHECK_MAX_ARTICLE_CHARS
        if len(text) > limit:
            message = f"The article text is {len(text):,} characters; the limit is {limit:,}."
            self.too_large = True
            raise forms.ValidationError(message)
        return text

    def _post_clean(self):
        # The model is validated in actions.create_article; skip ModelForm's instance check.
        pass


class ConfirmArticleForm(ArticleForm):
    """An imported article as extracted, for the desk to correct before it is saved."""

    class Meta(ArticleForm.Meta):
        fields = ["title", "url", "publisher", "byline", "published_on", "language", "text"]
        widgets = {**ArticleForm.Meta.widgets, "text": forms.Textarea(attrs={"rows": 16})}


class FetchForm(forms.Form):
    """The URL of a page to import (fetched by factcheck.fetch, which decides what it may reach)."""

    url = forms.URLField(label="Page URL", max_length=2000, assume_scheme="https")


class UploadForm(forms.Form):
    file = forms.FileField(label="File", help_text="A .txt, .html or .docx file.")


class VerdictForm(forms.Form):
    rating = forms.ModelChoiceField(queryset=Rating.objects.all(), empty_label="Choose a rating")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    sources = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One source a line: a URL, optionally followed by “| title | excerpt”.",
    )

    def clean_sources(self) -> list[actions.Source]:
        sources = []
        for line in (self.cleaned_data.get("sources") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|", 2)]
            parts += [""] * (3 - len(parts))
            sources.append(actions.Source(url=parts[0], title=parts[1], excerpt=parts[2]))
        return sources

    @staticmethod
    def sources_as_text(verdict) -> str:
        lines = []
        for s in verdict.sources.all():
            parts = [s.url, s.title, s.excerpt.replace("\n", " ")]
            while parts and not parts[-1]:
                parts.pop()
            lines.append(" | ".join(parts))
        return "\n".join(lines)


class ImportForm(forms.Form):
    """The browser's import: a file, its format (guessed when blank), and a dry run."""

    file = forms.FileField(help_text="Our JSONL, doccano JSONL, Label Studio JSON or W3C JSON-LD.")
    format = forms.ChoiceField(
        required=False,
        choices=[("", "Guess from the file")] + [(f, f) for f in imports.FORMATS],
    )
    dry_run = forms.BooleanField(
        required=False, label="Dry run", help_text="Check everything, then save nothing."
    )
    offset_unit = forms.ChoiceField(
        required=False,
        label="doccano offsets count",
        choices=[
            ("", "As the file says, else UTF-16 (doccano's editor)"),
            ("utf16", "UTF-16 code units"),
            ("codepoint", "code points"),
            ("grapheme", "characters (doccano's grapheme mode)"),
        ],
    )
    labels = forms.CharField(
        required=False,
        label="Labels to claim kinds",
        help_text="LABEL=kind, comma-separated (* for any other), e.g. CLAIM=direct_quote. "
        "Kind names map to themselves.",
    )

    def clean(self):
        data = super().clean()
        try:
            data["options"] = imports.ImportOptions.from_input(
                offset_unit=data.get("offset_unit"), labels=data.get("labels")
            )
        except ValueError as exc:
            field = "labels" if str(exc).startswith("labels") else "offset_unit"
            self.add_error(field, str(exc))
        return data
