"""Improvement action plans: priorities, actions, milestones, revisions, updates and KPIs."""
