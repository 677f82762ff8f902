"""Documents handed upward: the public progress report and the exports."""
