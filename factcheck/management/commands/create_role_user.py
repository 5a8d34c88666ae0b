import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from factcheck.models import Role
from factcheck.roles import set_role


class Command(BaseCommand):
    help = (
        "Create a user (or update an existing one) with a factcheck role: annotator, reviewer "
        "or moderator. Moderators may also sign in to the admin. The password is read from "
        "--password or the FACTCHECK_PASSWORD environment variable; an existing user keeps "
        "theirs when neither is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Defaults to $FACTCHECK_PASSWORD.")

    @transaction.atomic
    def handle(self, *args, username, role, email, password, **options):
        password = password or os.environ.get("FACTCHECK_PASSWORD")
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        created = user is None
        if created and not password:
            raise CommandError("Give --password or set FACTCHECK_PASSWORD for a new user.")
        if created:
            user = User(username=username)
        if password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
            user.set_password(password)
        if email:
            user.email = email
        user.save()
        set_role(user, Role(role))
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {username} as {role}."))
