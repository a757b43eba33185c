from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.forms import text_validator

from .files import RefusedFile, check_size, file_type_of
from .formats import FORMATS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=[(k, f.title) for k, f in FORMATS.items()])
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file in UTF-8, with the headers of the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            file_type_of(upload.name or "")
            check_size(upload.size)
        except RefusedFile as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason for voiding"), max_length=300, validators=[text_validator()])
