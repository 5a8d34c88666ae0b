"""Article.url_key: the URL's identity (factcheck.urls_canon), unique when present.

Existing rows are backfilled. Two articles whose URLs turn out to be one page (http and https,
a tracking parameter...) cannot both hold the key: the oldest keeps it, the others keep an empty
key (their URL unchanged) and are reported, to be merged by hand; the migration does not fail.
"""

import sys

from django.db import migrations, models
from django.db.models import Q

from factcheck.urls_canon import canonical_url_key


def backfill(apps, schema_editor):
    Article = apps.get_model("factcheck", "Article")
    seen: dict[str, int] = {}
    clashes = []
    rows = Article.objects.exclude(url="").order_by("pk").values_list("pk", "url")
    for pk, url in rows.iterator(chunk_size=2000):
        key = canonical_url_key(url)
        if key in seen:
            clashes.append((pk, url, seen[key]))
            continue
        seen[key] = pk
        Article.objects.filter(pk=pk).update(url_key=key)
    for pk, url, first in clashes:
        sys.stderr.write(
            f"factcheck: article {pk} ({url}) is the same page as article {first}; "
            "its URL key is left empty: merge the two by hand.\n"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("factcheck", "0010_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="url_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=600),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="url_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=600),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.UniqueConstraint(
                condition=~Q(url_key=""),
                fields=("url_key",),
                name="article_url_key_unique_when_present",
                violation_error_message="An article with this URL already exists.",
            ),
        ),
    ]
