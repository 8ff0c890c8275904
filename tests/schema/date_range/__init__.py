"""Every date the API accepts lies in the range the city's data can hold (issue 8, item 1).

``collaborationCreate(startsOn: "1800-01-01")`` used to be stored, and then every page
listing the collaboration failed. Each Date argument and input field of the schema
(mutations and queries alike) is sent the day before ``EARLIEST_DATE`` and the day after
``LATEST_DATE``: each is refused with INVALID at its own path, with a Japanese message
naming the field, and nothing is written. ``test_every_date_input_is_covered`` walks the
schema, so a Date input added later without a case here fails the suite.
"""
