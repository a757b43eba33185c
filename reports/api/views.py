"""The API's endpoints: the status by province, the completeness of reports, a province's đề án with payments."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from programmes.access import sees_all_provinces, user_province
from programmes.models import Disbursement, Project, Province
from programmes.replica import replica_reads
from programmes.units import province_code, unit_on

from .. import figures, status
from ..periods import period_for
from . import serializers as shapes

REFUSALS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="A parameter is not valid: its name and why."),
    401: OpenApiResponse(shapes.Detail, description="No valid token."),
    403: OpenApiResponse(shapes.Detail, description="The user has no role."),
}


def _money(row) -> dict:
    return {
        "approved_support": row.approved,
        "disbursed": row.performed,
        "disbursed_to_date": row.paid,
        "disbursed_pct": None if row.paid_ratio is None else round(row.paid_ratio, 2),
        "projects": row.projects,
        "lagging": row.lagging,
    }


def _query(serializer_class, request) -> dict:
    """The query's parameters, validated; an empty one is refused like a wrong one (it is not a value)."""
    query = serializer_class(data=request.query_params)
    empty = {name: [_("This parameter is empty.")] for name in query.fields if request.query_params.get(name) == ""}
    if empty:
        raise serializers.ValidationError(empty)
    query.is_valid(raise_exception=True)
    return query.validated_data


class ReplicaReads:
    """Every endpoint here only reads: the register's rows come from the replica when there is one."""

    def dispatch(self, request, *args, **kwargs):
        with replica_reads():
            return super().dispatch(request, *args, **kwargs)


class StatusView(ReplicaReads, APIView):
    """Each province's approved KC support, disbursement, đề án, lagging đề án and report state over a period."""

    @extend_schema(
        parameters=[shapes.StatusQuery],
        responses={200: shapes.Status, **REFUSALS},
        summary="Status by province",
        description="The figures of the status page and of the reports for the same period and level; the user's "
        "read scope (an officer gets their province).",
    )
    def get(self, request):
        data = _query(shapes.StatusQuery, request)
        today = timezone.localdate()
        date_from = data.get("from") or datetime.date(today.year, 1, 1)
        date_until = data.get("until") or datetime.date(date_from.year, 12, 31)
        try:
            period = period_for(date_until.year, "custom", date_from=date_from, date_until=date_until)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        table = status.province_status(request.user, period, level=data["level"], units=data["units"])
        rows = [
            {
                "province_code": row.code,
                "province_name": row.name,
                "region": row.region,
                **_money(row),
                "report_state": row.report.state if row.report else None,
            }
            for row in table.rows
        ]
        return Response(
            {
                "from": date_from,
                "until": date_until,
                "level": data["level"],
                "units": data["units"],
                "rows": rows,
                "total": _money(table.total),
            }
        )


class CompletenessView(ReplicaReads, APIView):
    """Each province of the time × each reporting period of a year: the state of its report."""

    @extend_schema(
        parameters=[shapes.CompletenessQuery],
        responses={200: shapes.Completeness, **REFUSALS},
        summary="Who has reported",
    )
    def get(self, request):
        year = _query(shapes.CompletenessQuery, request).get("year") or timezone.localdate().year
        matrix = status.completeness(request.user, year)
        rows = []
        for row in matrix.rows:
            for key in matrix.periods:
                cell = row.cells.get(key)
                if cell is None:
                    continue
                rows.append(
                    {
                        "province_code": row.code,
                        "province_name": row.name,
                        "region": row.region,
                        "period": key,
                        "due": matrix.due[key],
                        "state": cell.state,
                        "number": cell.issued.number if cell.issued else None,
                        "issued_on": cell.issued.issued_on if cell.issued else None,
                        "late": cell.late,
                        "reason": cell.review.reason if cell.review else "",
                    }
                )
        return Response({"year": year, "rows": rows})


class ProjectsView(ReplicaReads, generics.ListAPIView):
    """A province's đề án of a year, with their payments (paged: `limit`, `offset`)."""

    serializer_class = shapes.Project

    @extend_schema(
        parameters=[
            shapes.ProjectsQuery,
            OpenApiParameter("code", str, OpenApiParameter.PATH, description="The province's code in that year."),
        ],
        responses={
            200: shapes.Project(many=True),
            **REFUSALS,
            404: OpenApiResponse(shapes.Detail, description="No such province that year, or not the user's."),
        },
        summary="A province's đề án with their payments",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        year = _query(shapes.ProjectsQuery, self.request).get("year") or timezone.localdate().year
        code = province_code(self.kwargs["code"])
        bearers = list(Province.objects.filter(code=code))
        unit = unit_on(bearers, datetime.date(year, 1, 1)) or unit_on(bearers, datetime.date(year, 12, 31))
        if unit is None or not self._in_scope(unit):
            raise Http404
        column = Q(current_province=unit) if unit.valid_to is None else Q(province=unit)
        payments = Prefetch("disbursements", queryset=Disbursement.objects.order_by("paid_on", "id"))
        return (
            Project.objects.for_user(self.request.user)
            .filter(column, figures.of_year(year))  # a multi-year đề án in each of its years
            .select_related("plan__scheme", "content")
            .prefetch_related(payments, "allocations")
            .order_by("code")
        )

    def _in_scope(self, unit: Province) -> bool:
        if sees_all_provinces(self.request.user):
            return True
        own = user_province(self.request.user)
        return own is not None and (unit.current_id or unit.pk) == own.pk
