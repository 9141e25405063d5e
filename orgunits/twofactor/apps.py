from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "orgunits.twofactor"
    label = "twofactor"
    verbose_name = "Xác thực hai lớp"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import decide_at_login

        user_logged_in.connect(decide_at_login, dispatch_uid="twofactor_decide_at_login")
