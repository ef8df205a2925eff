"""CMS data files: the practitioner NCCI tables and the physician fee schedule, as CMS publishes them.

* :mod:`.layouts` recognises a CMS file by its header and reads its rows (PTP parts, MUE table, PPRRVU);
* :mod:`.store` installs a small versioned dataset (the catalogue's rows only) in a data folder and lists it;
* :mod:`.tables` chooses the tables in force on a date of service (installed quarters, else the shipped
  Q3 2024 vintage) and holds the active choice in a ContextVar;
* :mod:`.fees` answers fee-schedule questions (RVUs, indicators, national payment) for one code;
* :mod:`.cli` is the ``esi-ref data`` command.

Standard library only: the rule core (and this package) runs in the browser under Pyodide.
"""
