"""Who may use the success-measure (KPI) pages, for the access matrix."""

from tests.access_kinds import PLAN_READERS, PLAN_WRITERS

ROUTES = {
    ("GET", "/plans/{plan_id:int}/kpis"): PLAN_READERS,
    ("POST", "/plans/{plan_id:int}/kpis/statutory"): PLAN_WRITERS,
    ("GET", "/plans/{plan_id:int}/kpis/new"): PLAN_WRITERS,
    ("POST", "/plans/{plan_id:int}/kpis/new"): PLAN_WRITERS,
    ("GET", "/kpis/{kpi_id:int}"): PLAN_READERS,
    ("GET", "/kpis/{kpi_id:int}/chart.svg"): PLAN_READERS,
    ("GET", "/kpis/{kpi_id:int}/edit"): PLAN_WRITERS,
    ("POST", "/kpis/{kpi_id:int}/edit"): PLAN_WRITERS,
    ("GET", "/kpis/{kpi_id:int}/data"): PLAN_WRITERS,
    ("POST", "/kpis/{kpi_id:int}/data"): PLAN_WRITERS,
    ("GET", "/kpi-points/{point_id:int}/delete"): PLAN_WRITERS,
    ("POST", "/kpi-points/{point_id:int}/delete"): PLAN_WRITERS,
}
