from django import forms

from kpi_portal.forms import StyledFormMixin

from .models import User


class ProfileForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "email_notifications"]
