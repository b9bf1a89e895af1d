"""The one error type for input the report cannot use; its message is the single line the user sees."""


class ReportInputError(Exception):
    """Bad option, unreadable source, missing table or unusable value; `ads-report` exits 2."""


class InvalidDocumentError(Exception):
    """The built document breaks report.schema.json: a defect in the report code, not in the input."""
