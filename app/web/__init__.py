"""The web shell: layout, navigation, flash messages, security headers and error pages."""
