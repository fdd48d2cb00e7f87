"""CJS standing data: offence codes, hearing types, pleas, verdicts, remand statuses, result codes."""
