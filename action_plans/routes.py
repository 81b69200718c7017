"""The action-plan pages, registered in one list for app.main."""

from litestar.types import ControllerRouterHandler

ACTION_PLAN_CONTROLLERS: list[ControllerRouterHandler] = []
