from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FactcheckConfig(AppConfig):
    name = "factcheck"
    verbose_name = "factcheck"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from factcheck.roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
