"""Fill empty msgstr entries of every Vietnamese catalog from a JSON file of {msgid: msgstr}.

Usage: .venv/bin/python scripts/po_fill.py translations.json
Then `make messages` stays the way to extract; this only saves typing the
same translation into several app catalogs. Prints the msgids still empty.
"""

import json
import sys
from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent
table = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else {}
missing = set()
for po_path in sorted(root.glob("**/locale/vi/LC_MESSAGES/django.po")):
    if ".venv" in po_path.parts:
        continue
    catalog = polib.pofile(str(po_path))
    changed = False
    for entry in catalog:
        if entry.msgid in table and (not entry.msgstr or "fuzzy" in entry.flags):
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            changed = True
        if not entry.msgstr and not entry.msgstr_plural:
            missing.add(entry.msgid)
    if changed:
        catalog.save()
for msgid in sorted(missing):
    print("missing:", repr(msgid))
