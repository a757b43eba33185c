"""The API's shapes: money in whole đồng as integers, percentages as numbers with two decimals, dates YYYY-MM-DD."""

from __future__ import annotations

from rest_framework import serializers


class StatusQuery(serializers.Serializer):
    from_ = serializers.DateField(required=False, help_text="First day of the period (default: 1 January).")
    until = serializers.DateField(required=False, help_text="Last day of the period (default: 31 December).")
    level = serializers.ChoiceField(choices=["all", "national", "local"], default="all")
    units = serializers.ChoiceField(
        choices=["then", "today"], default="then", help_text="Units of the time (63 before 1/7/2025) or of today (34)."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class Money(serializers.Serializer):
    approved_support = serializers.IntegerField(help_text="Approved KC support, đồng (the report's).")
    disbursed = serializers.IntegerField(help_text="Paid in the period on the year's đề án, đồng.")
    disbursed_to_date = serializers.IntegerField(help_text="Paid from 1 January to the period's end, đồng.")
    disbursed_pct = serializers.DecimalField(
        max_digits=9, decimal_places=2, coerce_to_string=False, allow_null=True, help_text="To date / approved, %."
    )
    projects = serializers.IntegerField(help_text="The đề án the report lists.")
    lagging = serializers.IntegerField(help_text="Of those, lagging by any rule as of the period's end.")


class StatusRow(Money):
    province_code = serializers.CharField()
    province_name = serializers.CharField()
    region = serializers.ChoiceField(choices=["bac", "trung", "nam"])
    report_state = serializers.ChoiceField(
        choices=["not_started", "draft", "issued", "accepted", "returned"],
        allow_null=True,
        help_text="The province's report for the period, when the period is a reporting period (else null).",
    )


class Status(serializers.Serializer):
    from_ = serializers.DateField()
    until = serializers.DateField()
    level = serializers.CharField()
    units = serializers.CharField()
    rows = StatusRow(many=True)
    total = Money()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class CompletenessQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, help_text="Default: this year.")


class CompletenessRow(serializers.Serializer):
    province_code = serializers.CharField()
    province_name = serializers.CharField()
    region = serializers.ChoiceField(choices=["bac", "trung", "nam"])
    period = serializers.ChoiceField(choices=["h1", "m9", "year"])
    due = serializers.DateField()
    state = serializers.ChoiceField(choices=["not_started", "draft", "issued", "accepted", "returned"])
    number = serializers.CharField(allow_null=True)
    issued_on = serializers.DateField(allow_null=True)
    late = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="The Ministry's reason, for a returned report.")


class Completeness(serializers.Serializer):
    year = serializers.IntegerField()
    rows = CompletenessRow(many=True)


class ProjectsQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, help_text="Default: this year.")


class Payment(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = serializers.IntegerField()
    kind = serializers.CharField()
    source = serializers.CharField()
    voucher_number = serializers.CharField(allow_blank=True)


class Share(serializers.Serializer):
    year = serializers.IntegerField()
    kc_support = serializers.IntegerField()
    counterpart_funds = serializers.IntegerField()
    other_funds = serializers.IntegerField()


class Project(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    year = serializers.IntegerField(help_text="The year of its plan (a multi-year đề án's first year).")
    final_year = serializers.IntegerField(
        allow_null=True, help_text="A multi-year đề án's last year; null for a đề án of one year."
    )
    shares = Share(many=True, source="allocations.all", help_text="A multi-year đề án's share of each year.")
    level = serializers.CharField(source="plan.scheme.level")
    content = serializers.CharField(source="content.code")
    status = serializers.CharField()
    kc_support = serializers.IntegerField()
    counterpart_funds = serializers.IntegerField()
    disbursed_amount = serializers.IntegerField()
    decision_number = serializers.CharField(allow_blank=True)
    decision_date = serializers.DateField(allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    payments = Payment(many=True, source="disbursements.all")


class Detail(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused.")
