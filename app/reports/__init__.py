"""Governance board reports: figures gathered through the same services as the pages, rendered as
HTML, PDF and XLSX, and kept as immutable snapshots."""
