"""Training: courses, modules, quizzes, sessions, assignments and completions."""
