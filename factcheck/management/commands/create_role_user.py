from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from factcheck.models import Role


class Command(BaseCommand):
    help = (
        "Create a user (or update an existing one) with a factcheck role: annotator, reviewer "
        "or moderator. Moderators may also sign in to the admin. The password is read from "
        "--password or the FACTCHECK_PASSWORD environment variable."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Defaults to $FACTCHECK_PASSWORD.")

    @transaction.atomic
    def handle(self, *args, username, role, email, password, **options):
        import os

        password = password or os.environ.get("FACTCHECK_PASSWORD")
        if not password:
            raise CommandError("Give --password or set FACTCHECK_PASSWORD.")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        user.set_password(password)
        if email:
            user.email = email
        user.is_staff = role == Role.MODERATOR
        user.save()
        user.groups.remove(*Group.objects.filter(name__in=Role.values))
        user.groups.add(Group.objects.get(name=role))
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {username} as {role}."))
