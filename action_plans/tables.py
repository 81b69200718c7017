from piccolo.columns import Serial, Timestamptz, Varchar
from piccolo.table import Table

from action_plans.enums import PlanOrigin, PlanStatus


class Plan(Table):
    id = Serial(primary_key=True)
    reference = Varchar(length=30, unique=True)
    title = Varchar(length=200)
    origin = Varchar(length=30, choices=PlanOrigin)
    status = Varchar(length=20, choices=PlanStatus, default=PlanStatus.DRAFT)
    created_at = Timestamptz()
    updated_at = Timestamptz()
