"""People: organisations, teams, job roles and staff."""
