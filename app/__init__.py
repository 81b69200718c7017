"""Assure: staff training and improvement action plans for a council's SEND service."""

import os

# Piccolo finds its engine and apps through this module, wherever `assure` runs from.
os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")
