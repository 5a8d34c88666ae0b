from django.db import migrations

# label, value (5 = true .. 1 = false; None = off the numeric scale), description, colour
DEFAULT_SCALE = [
    ("True", 5, "The claim is accurate and nothing significant is missing.", "#1a7f37"),
    ("Mostly true", 4, "Accurate but needs clarification or additional information.", "#4d7c0f"),
    ("Half true", 3, "Partially accurate but leaves out important details or takes things out of context.", "#9a6700"),
    ("Mostly false", 2, "Contains an element of truth but ignores facts that would give a different impression.", "#bc4c00"),
    ("False", 1, "The claim is not accurate.", "#cf222e"),
    ("Misleading", None, "Literally accurate but creates a false impression.", "#8250df"),
    ("Unproven", None, "The evidence available neither proves nor disproves the claim.", "#57606a"),
    ("Not checkable", None, "An opinion, prediction or statement that cannot be verified.", "#424a53"),
]


def create_scale(apps, schema_editor):
    Rating = apps.get_model("factcheck", "Rating")
    for order, (label, value, description, colour) in enumerate(DEFAULT_SCALE):
        Rating.objects.get_or_create(
            label=label,
            defaults={"value": value, "description": description, "colour": colour, "order": order},
        )


def remove_scale(apps, schema_editor):
    Rating = apps.get_model("factcheck", "Rating")
    Rating.objects.filter(label__in=[row[0] for row in DEFAULT_SCALE], verdicts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0001_initial")]

    operations = [migrations.RunPython(create_scale, remove_scale)]
