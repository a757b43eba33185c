"""The Reports page's forms: what a report covers, a draft's narrative, issuing, unlocking."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from programmes.access import sees_all_provinces, user_province
from programmes.forms import DayInput, text_validator
from programmes.models import Province, Region

from . import figures
from .models import Level, Report, Scope
from .periods import PRESETS, period_for


def provinces_for(user):
    """The units a user may report on: every unit for the Ministry; their province and its predecessors otherwise."""
    return Province.objects.for_user(user).order_by("valid_to", "name")


class ParametersForm(forms.Form):
    """What a report covers: a province, a region or the nation; a period; a scheme level."""

    scope = forms.ChoiceField(label=_("Report for"), choices=Scope.choices, initial=Scope.PROVINCE)
    province = forms.ModelChoiceField(label=_("Province / city"), queryset=Province.objects.none(), required=False)
    region = forms.ChoiceField(label=_("Region"), choices=[("", "---------"), *Region.choices], required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    preset = forms.ChoiceField(label=_("Period"), choices=list(PRESETS.items()), initial="h1")
    months = forms.IntegerField(label=_("Number of months"), min_value=1, max_value=12, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DayInput())
    date_until = forms.DateField(label=_("Until"), required=False, widget=DayInput())
    level = forms.ChoiceField(label=_("Scheme level"), choices=Level.choices, initial=Level.ALL)
    other_programmes = forms.BooleanField(
        label=_("With the centre's other programmes"),
        required=False,
        help_text=_("Energy saving, other programmes and consultancy, in a table of their own beside khuyến công."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["province"].queryset = provinces_for(user)
        if not sees_all_provinces(user):
            # A province's staff report on their province only.
            self.fields["scope"].choices = [(Scope.PROVINCE, Scope.PROVINCE.label)]
            del self.fields["region"]
            province = user_province(user)
            if province is not None:
                self.fields["province"].initial = province.pk

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        scope = data.get("scope")
        if scope == Scope.PROVINCE and not data.get("province"):
            raise ValidationError({"province": _("Choose a province or city.")})
        if scope == Scope.REGION and not data.get("region"):
            raise ValidationError({"region": _("Choose a region.")})
        period = period_for(
            data["year"],
            data["preset"],
            months=data.get("months"),
            date_from=data.get("date_from"),
            date_until=data.get("date_until"),
        )
        data["coverage"] = figures.coverage(
            period,
            level=data["level"],
            province=data.get("province") if scope == Scope.PROVINCE else None,
            region=data.get("region", "") if scope == Scope.REGION else "",
        )
        return data


def sent_to(issuer) -> dict[str, str]:
    """Whom an issuer's report goes to, as the draft's fields hold it (one per line)."""
    return {"addressees": "\n".join(issuer.addressees), "recipients": "\n".join(issuer.recipients)}


class NarrativeForm(forms.ModelForm):
    """The sections staff write; the figures of section I are generated."""

    class Meta:
        model = Report
        fields = [
            "title",
            "other_programmes",
            "advantages",
            "limitations",
            "causes",
            "tasks",
            "recommendations",
            "addressees",
            "recipients",
            "signer_title",
            "signer_name",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("advantages", "limitations", "causes", "tasks", "recommendations", "recipients")
        } | {"signer_title": forms.Textarea(attrs={"rows": 2}), "addressees": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, issuer=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Whom a draft is sent to starts as its issuer's (reports.document.issuer_of), to be changed here.
        if issuer is not None and not self.is_bound:
            for name, text in sent_to(issuer).items():
                if not getattr(self.instance, name):
                    self.initial[name] = text


class IssueForm(forms.Form):
    number = forms.CharField(label=_("Number and symbol"), max_length=40, help_text=_("e.g. 123/BC-SCT"))
    issued_on = forms.DateField(label=_("Date of issue"), widget=DayInput())


class SignedUploadForm(forms.Form):
    pdf = forms.FileField(
        label=_("PDF signed elsewhere"),
        help_text=_("The issued PDF downloaded from here, signed with the CA's plug-in or a remote-signing service."),
    )
    issued_id = None  # which version's form holds the errors (the page has one per version)


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason for unlocking"), max_length=300, validators=[text_validator()])
