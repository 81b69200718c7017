import os

from piccolo.conf.apps import AppConfig

from courses.tables import (
    AnswerOption,
    Assignment,
    AssignmentRule,
    Attendance,
    Completion,
    ComplianceFigures,
    Course,
    CourseVersion,
    Module,
    ModuleProgress,
    OutboxMessage,
    Question,
    QuizAttempt,
    TrainingChange,
    TrainingSession,
)

APP_CONFIG = AppConfig(
    app_name="courses",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Course,
        CourseVersion,
        Module,
        Question,
        AnswerOption,
        AssignmentRule,
        Assignment,
        ModuleProgress,
        QuizAttempt,
        Completion,
        TrainingSession,
        Attendance,
        OutboxMessage,
        TrainingChange,
        ComplianceFigures,
    ],
    migration_dependencies=["app.piccolo_app"],
    commands=[],
)
