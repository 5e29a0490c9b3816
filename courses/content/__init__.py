"""Reading, checking and writing the course and lesson files in `content/` (format:
content/README.md).

Files in, dataclasses and `file:line: field: message` problems out, and back again; nothing here
writes to the database (courses.services.content_load does, once every file has passed). Each
field is held to the limits of the model field of the same name (courses.validators), so the
loader, the admin forms and the database agree.

- problems: ContentProblem, ContentError, and `shown`: how a message quotes a value
- reading: reading a file under the content root (links, special files, the size limit)
- yaml_io: reading YAML with line numbers (no anchors or aliases), writing YAML strings
- files: what a course or lesson file says (CourseFile, LessonFile), from a file or a row
- checks: the checks a file and the admin form share
- blocks: the `!!! takeaways`, `!!! exercise` and `!!! answer` blocks of a lesson body
- check_blocks: the `!!! check` blocks (knowledge checks) of a lesson body, the body rendered
  with a marker for each, and the validators Lesson's markdown fields share with the loader
- parsing: parse_course, parse_lesson
- scan: finding the files under a content root
- writing: format_course, format_lesson (export_content)
"""

from courses.content.problems import ContentError, ContentProblem, shortened, shown
from courses.content.reading import content_file_read
from courses.content.yaml_io import YAMLAnchorError, YAMLSyntaxError, yaml_load, yaml_scalar

__all__ = [
    "ContentError",
    "ContentProblem",
    "YAMLAnchorError",
    "YAMLSyntaxError",
    "content_file_read",
    "shortened",
    "shown",
    "yaml_load",
    "yaml_scalar",
]
