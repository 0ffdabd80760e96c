from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Units and users")

    def ready(self):
        from core.nav import NavItem, register_nav

        register_nav(NavItem(label=_("Units"), url_name="unit_list", icon="diagram-3", order=80,
                             visible=lambda user: user.is_admin))
        register_nav(NavItem(label=_("Users"), url_name="user_list", icon="people", order=81,
                             visible=lambda user: user.is_admin or user.is_office))
