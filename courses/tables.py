from piccolo.columns import Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from courses.enums import CourseStatus


class Course(Table):
    id = Serial(primary_key=True)
    code = Varchar(length=30, unique=True)
    title = Varchar(length=200)
    summary = Text(default="")
    version = Integer(default=1)
    mandatory = Boolean(default=False)
    status = Varchar(length=20, choices=CourseStatus, default=CourseStatus.DRAFT)
    created_at = Timestamptz()
    updated_at = Timestamptz()
