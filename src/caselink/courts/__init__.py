"""Courts: hearings, pleas, verdicts and outcomes per charge, trial effectiveness, remand, sentences."""
