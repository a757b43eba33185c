"""The Thanh Hóa 2024 case of domain.md §7 as register data, shared by the report tests.

In the first 6 months 02 of the 08 local machinery đề án were completed, 600 triệu đồng; over the
year 100 % of the local đề án were disbursed, 3.277 triệu đồng (the other 06 machinery đề án, fair
support); national khuyến công 2.950 triệu, 100 %. Encoded: local plan ND45-3 (machinery) 08 đề án
/ 2.927 triệu + ND45-4 (fairs) 02 đề án / 350 triệu = 3.277 triệu; two machinery đề án of 300 triệu
started in March, accepted and paid in full in the first half (600); six of 390, 390, 390, 390, 390,
377 triệu and the two fairs (200 and 150) paid in the second half (2.677); one national group đề án
of 2.950 triệu paid 1.000 in May and 1.950 in October.
"""

import datetime

import pytest

from programmes.models import Disbursement, ProjectStatus
from tests.factories import (
    PlanFactory,
    PlanLineFactory,
    ProjectFactory,
    content,
    disburse,
    national_scheme,
    old_province,
)

S = ProjectStatus
TRIEU = 1_000_000
d = datetime.date


def project(plan, amount_trieu, *, code_content="ND45-3", started=None, accepted=None, **fields):
    """An approved đề án, started and accepted on the dates given."""
    values = {
        "plan": plan,
        "content": content(code_content),
        "kc_support": amount_trieu * TRIEU,
        "counterpart_funds": amount_trieu * TRIEU,
        "decision_date": d(plan.year, 2, 20),
        "registered_on": d(plan.year, 1, 10),
        "start_date": d(plan.year, 3, 1),
        "end_date": d(plan.year, 12, 10),
    }
    if started:
        values.update(status=S.IN_PROGRESS, contracted_on=started, started_on=started)
    if accepted:
        values.update(status=S.ACCEPTED, accepted_on=accepted)
    values.update(fields)
    return ProjectFactory(**values)


@pytest.fixture
def thanhhoa_2024(db):
    province = old_province("38")
    local = PlanFactory(province=province, year=2024)
    PlanLineFactory(plan=local, content=content("ND45-3"), planned_amount=2_927 * TRIEU, planned_projects=8)
    PlanLineFactory(plan=local, content=content("ND45-4"), planned_amount=350 * TRIEU, planned_projects=2)
    first_half = [project(local, 300, started=d(2024, 3, 5), accepted=d(2024, 6, 10)) for _ in range(2)]
    for item in first_half:
        disburse(item, 300 * TRIEU, paid_on=d(2024, 6, 20))
    second_half = [
        project(local, amount, started=d(2024, 7, 15), accepted=d(2024, 11, 20))
        for amount in (390, 390, 390, 390, 390, 377)
    ]
    second_half += [
        project(local, amount, code_content="ND45-4", started=d(2024, 8, 1), accepted=d(2024, 10, 30))
        for amount in (200, 150)
    ]
    for item in second_half:
        disburse(item, item.kc_support, paid_on=d(2024, 12, 5))
    national = PlanFactory(province=province, year=2024, scheme=national_scheme(2024))
    PlanLineFactory(plan=national, content=content("ND45-3"), planned_amount=2_950 * TRIEU, planned_projects=1)
    group = project(national, 2_950, started=d(2024, 4, 1), accepted=d(2024, 11, 25), is_group=True)
    disburse(group, 1_000 * TRIEU, paid_on=d(2024, 5, 15), kind=Disbursement.Kind.ADVANCE)
    disburse(group, 1_950 * TRIEU, paid_on=d(2024, 10, 15))
    return {"province": province, "local": local, "national": national, "group": group}
