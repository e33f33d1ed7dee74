"""Pure domain logic: scoring, trials, routing, validation and the summary. Never imports Flask."""
