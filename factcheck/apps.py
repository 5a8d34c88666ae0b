from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class FactcheckConfig(AppConfig):
    name = "factcheck"
    verbose_name = "factcheck"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from factcheck import accounts, checks  # noqa: F401  (signal handlers, deploy checks)
        from factcheck.roles import ensure_role_groups
        from factcheck.search import restore_sqlite_triggers

        post_migrate.connect(ensure_role_groups, sender=self)
        post_migrate.connect(restore_sqlite_triggers, sender=self)


class FactcheckAdminConfig(admin_apps.AdminConfig):
    """The admin, as the moderators' desk: only moderators and superusers enter."""

    default = False  # factcheck.apps' default config is FactcheckConfig

    default_site = "factcheck.admin_site.DeskAdminSite"
