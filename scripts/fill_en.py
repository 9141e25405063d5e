"""Fill empty English msgstr entries from locale/en/glossary.tsv (Vietnamese<TAB>English).

Run after `manage.py makemessages -l en`; entries already translated in the .po are kept.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
GLOSSARY = ROOT / "locale" / "en" / "glossary.tsv"


def main() -> int:
    glossary = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            vi, en = line.split("\t", 1)
            glossary[vi] = en
    text = PO.read_text(encoding="utf-8")

    def fill(match: re.Match) -> str:
        msgid = match.group(1)
        english = glossary.get(msgid.replace('\\"', '"'))
        if english is None:
            return match.group(0)
        return f'msgid "{msgid}"\nmsgstr "{english.replace(chr(34), chr(92) + chr(34))}"'

    text = re.sub(r'msgid "((?:[^"\\]|\\.)+)"\nmsgstr ""(?!\n")', fill, text)
    text = text.replace("#, fuzzy\n#| ", "#| ")
    PO.write_text(text, encoding="utf-8")
    missing = len(re.findall(r'msgid "(?:[^"\\]|\\.)+"\nmsgstr ""(?!\n")', text))
    print(f"untranslated: {missing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
