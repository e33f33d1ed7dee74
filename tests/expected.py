"""What the tests hold the app to, written out literally (not imported from the app on purpose)."""

OPTION_IDS = (
    "continue",
    "adjust_dose",
    "switch",
    "add_medicine",
    "talking_therapy",
    "esketamine",
    "iv_ketamine",
    "tms",
    "ect",
)

PRIORITY_IDS = (
    "chance",
    "speed",
    "duration",
    "sexual",
    "weight",
    "flat",
    "strange_days",
    "memory",
    "visit_time",
    "driving",
    "cost",
    "talking_vs_medicine",
)
