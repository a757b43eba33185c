from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from .models import Attachment


@require_GET
@login_required
def attachment_download(request, name: str):
    """Send an attachment the user may see; anyone else gets a 404, as if it did not exist."""
    attachment = Attachment.objects.for_user(request.user).filter(file=name).first()
    if attachment is None or not attachment.file.storage.exists(attachment.file.name):
        raise Http404
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.file.name.rsplit("/", 1)[-1]
    )
