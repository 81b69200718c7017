"""The action-plan pages, registered in one list for app.main."""

from litestar.types import ControllerRouterHandler

from action_plans.kpis_controller import KpisController
from action_plans.plans_controller import PlanStructureController
from action_plans.training_controller import TrainingLinkController
from action_plans.transfer_controller import (
    CalendarFeedController,
    MyCalendarController,
    PlanExportController,
    PlanImportController,
)
from action_plans.updates_controller import ProgressController
from action_plans.views_controller import PlanViewsController

ACTION_PLAN_CONTROLLERS: list[ControllerRouterHandler] = [
    KpisController,
    PlanStructureController,
    PlanViewsController,
    PlanImportController,
    PlanExportController,
    CalendarFeedController,
    MyCalendarController,
    ProgressController,
    TrainingLinkController,
]
