"""Administration pages: people, organisations, teams, job roles and the audit log."""
