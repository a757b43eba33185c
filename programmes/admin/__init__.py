"""The Django admin, in Vietnamese, scoped by province on every path.

A package: the shared pieces (`base`: scoping, the write path through the services, history read
only, money shown grouped) apart from the admins of each part of the register (`reference`,
`bodies`, `plans`, `projects`, `facilities`, `users`). Importing it registers them all.
"""

from . import bodies, facilities, plans, projects, reference, users  # noqa: F401  (registers the admins)
from .base import ScopedAdmin, ServiceErrorsForm, entry_token
from .plans import PlanAdmin
from .projects import ProjectAdmin

__all__ = ["PlanAdmin", "ProjectAdmin", "ScopedAdmin", "ServiceErrorsForm", "entry_token"]
