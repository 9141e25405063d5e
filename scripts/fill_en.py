"""Fill empty English msgstr entries of the .po file from locale/en/glossary.tsv.

Run after `manage.py makemessages -l en`; entries already translated in the .po are kept.
The glossary format is documented at the top of glossary.tsv:

    Vietnamese<TAB>English                          ordinary entry
    Vietnamese<TAB>English singular<TAB>English plural  entry with msgid_plural

Keys and values are written as the text inside the .po quotes, joined across continuation
lines, except that a double quote is written plainly (not as \\"); so a line break is the two
characters backslash-n. Lines starting with # are comments.

Fuzzy entries (makemessages guessing from a similar old msgid) are treated as untranslated:
their guessed msgstr is replaced from the glossary and the fuzzy flag dropped; without a
glossary line they stay fuzzy, which compilemessages leaves out.

    python scripts/fill_en.py           fill, then print "untranslated: N"
    python scripts/fill_en.py --list    also print each untranslated msgid as a glossary key
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
GLOSSARY = ROOT / "locale" / "en" / "glossary.tsv"

WIDTH = 79  # gettext's line width, so makemessages does not rewrap what we write
KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$")
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGcoa%]")


def load_glossary(warnings: list[str]) -> dict[str, list[str]]:
    glossary: dict[str, list[str]] = {}
    for number, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        vi, *english = line.split("\t")
        if not english or len(english) > 2 or not all(english):
            warnings.append(f"glossary.tsv:{number}: expected 2 or 3 tab-separated columns")
            continue
        if vi in glossary and glossary[vi] != english:
            warnings.append(f"glossary.tsv:{number}: {vi!r} already translated differently")
        glossary[vi] = english
    return glossary


def unquote(literal: str) -> str:
    """Body of one "..." .po string, with \\" turned into a plain quote."""
    return literal[1:-1].replace('\\"', '"')


def escape(text: str) -> str:
    """Glossary text to .po string body: only a plain double quote needs escaping."""
    return re.sub(r'(?<!\\)"', '\\"', text)


def wrap(keyword: str, text: str) -> list[str]:
    """Lines for `keyword "text"` in gettext's layout: break after \\n and at spaces."""
    body = escape(text)
    if len(keyword) + len(body) + 3 <= WIDTH and "\\n" not in body[:-2]:
        return [f'{keyword} "{body}"']
    lines = [f'{keyword} ""']
    for segment in re.split(r"(?<=\\n)", body):
        line = ""
        for word in re.split(r"(?<= )", segment):
            if line and len(line) + len(word) + 2 > WIDTH:
                lines.append(f'"{line}"')
                line = ""
            line += word
        if line:
            lines.append(f'"{line}"')
    return lines


def parse(block: str) -> tuple[list[str], dict[str, str], list[str]]:
    """Comments, fields (keyword -> joined text) and field lines of one .po entry."""
    comments, fields, field_lines, current = [], {}, [], None
    for line in block.split("\n"):
        if line.startswith("#"):
            comments.append(line)
            continue
        match = KEYWORD.match(line)
        if match:
            current = match.group(1)
            fields[current] = unquote(match.group(2))
        elif line.startswith('"') and current:
            fields[current] += unquote(line)
        field_lines.append(line)
    return comments, fields, field_lines


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def fill_block(block: str, glossary: dict, missing: list[str], warnings: list[str]) -> str:
    comments, fields, field_lines = parse(block)
    msgid = fields.get("msgid")
    if not msgid:  # header, obsolete (#~) entry or nothing at all
        return block
    plural = "msgid_plural" in fields
    strings = [v for k, v in fields.items() if k.startswith("msgstr")]
    fuzzy = any(c.startswith("#,") and "fuzzy" in c for c in comments)
    if all(strings) and not fuzzy:
        return block

    english = glossary.get(msgid)
    if english is not None and plural and len(english) == 1:
        english = english * 2  # same wording for one and many, e.g. "%(n)s errors:"
    if english is not None and not plural and len(english) != 1:
        warnings.append(f"{msgid!r}: plural translation given for a singular msgid")
        english = None
    if english is not None:
        sources = [msgid, fields.get("msgid_plural", msgid)] if plural else [msgid]
        for source, target in zip(sources, english, strict=True):
            if placeholders(source) != placeholders(target) and "python-format" in str(comments):
                warnings.append(f"{msgid!r}: placeholders differ in {target!r}")
                english = None
                break
    if english is None:
        missing.append(msgid + ("\t(plural)" if plural else "") + ("\t(fuzzy)" if fuzzy else ""))
        return block

    kept_comments = []
    for comment in comments:
        if comment.startswith("#|"):  # previous msgid of a fuzzy guess
            continue
        if comment.startswith("#,"):
            flags = [f.strip() for f in comment[2:].split(",") if f.strip() != "fuzzy"]
            if not flags:
                continue
            comment = "#, " + ", ".join(flags)
        kept_comments.append(comment)
    source_lines = []
    for line in field_lines:
        match = KEYWORD.match(line)
        if match and match.group(1).startswith("msgstr"):
            break
        source_lines.append(line)
    if plural:
        target_lines = wrap("msgstr[0]", english[0]) + wrap("msgstr[1]", english[1])
    else:
        target_lines = wrap("msgstr", english[0])
    return "\n".join(kept_comments + source_lines + target_lines)


def main() -> int:
    warnings: list[str] = []
    missing: list[str] = []
    glossary = load_glossary(warnings)
    text = PO.read_text(encoding="utf-8")
    blocks = text.rstrip("\n").split("\n\n")
    text = "\n\n".join(fill_block(b, glossary, missing, warnings) for b in blocks) + "\n"
    PO.write_text(text, encoding="utf-8")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if "--list" in sys.argv[1:]:
        for msgid in missing:
            print(msgid)
    print(f"untranslated: {len(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
