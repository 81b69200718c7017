// Loaded as a module from the base layout; a file, not an inline script, so the
// Content-Security-Policy can forbid inline code.
import { initAll } from "/static/govuk-frontend.min.js";

initAll();
