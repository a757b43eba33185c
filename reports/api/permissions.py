"""Who may read the API: a user with a role (the read scope then narrows what they get)."""

from rest_framework.permissions import BasePermission

from programmes.access import user_role


class HasRole(BasePermission):
    message = "Tài khoản chưa được gán vai trò: không đọc được số liệu."

    def has_permission(self, request, view) -> bool:
        return user_role(request.user) is not None
