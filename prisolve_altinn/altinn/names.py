"""Names as a Norwegian writes them.

The Register of Business Enterprises (Enhetsregisteret) and Altinn give company names in capitals
("FJORDKANTEN EIENDOM AS"); Norwegians write "Fjordkanten Eiendom AS": each word capitalised, the
organisation form in capitals, small linking words ("og", "i", "på" …) in lower case, abbreviations kept.
A name that already has lower-case letters is left as its owner wrote it.
"""

import re

# Organisation forms (Enhetsregisteret's codes) written in capitals after a name.
ORGANISATION_FORMS = frozenset(
    {"AS", "ASA", "ANS", "DA", "ENK", "NUF", "SA", "BA", "KS", "IKS", "BRL", "SF", "KF", "FLI", "STI", "SE"}
)
# Linking words written in lower case inside a name.
SMALL_WORDS = frozenset(
    {"og", "i", "på", "av", "for", "til", "med", "fra", "ved", "under", "over", "en", "et"}
)
VOWELS = set("aeiouyæøåAEIOUYÆØÅ")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def norwegian_name(name: str | None) -> str | None:
    """``name`` written the Norwegian way when it is all capitals; otherwise as it is."""
    if not name or any(char.islower() for char in name):
        return name
    words = name.split()
    out = []
    for position, word in enumerate(words):
        letters = "".join(_WORD.findall(word))
        if word in ORGANISATION_FORMS and position:
            out.append(word)
        elif letters and not VOWELS.intersection(letters) and len(letters) > 1:
            out.append(word)  # an abbreviation (NRK, DNB, BKK): no vowel to read it by
        elif position and word.lower() in SMALL_WORDS:
            out.append(word.lower())
        else:
            # Each part of a hyphenated word and after an apostrophe-free boundary: "ØST-AGDER" → "Øst-Agder".
            out.append(_WORD.sub(lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), word))
    return " ".join(out)
