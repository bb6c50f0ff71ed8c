"""Read the text of a PDF in a child process: ``python pdfworker.py PAGES`` with the PDF on stdin.

PyPDF2 can loop without end on a damaged file (a 974-byte PDF never returned) and inflates a Flate
stream without limit (1 MB became more than 1 GB); a thread cannot be stopped, a process can. So the
caller (``detect.pdf_text``) runs this file alone, with a wall-clock timeout, and the process limits its
own CPU time and address space before it touches the PDF. Only the standard library and PyPDF2 are
imported: the file runs without the addon's package.
"""

import io
import resource
import sys

CPU_SECONDS = 5
ADDRESS_SPACE = 512 * 1024 * 1024
MAX_TEXT = 1024 * 1024


def main() -> int:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    pages = int(sys.argv[1])
    from PyPDF2 import PdfReader  # only after the limits are in force

    reader = PdfReader(io.BytesIO(sys.stdin.buffer.read()), strict=False)
    if reader.is_encrypted:
        return 2
    text = "\n".join(reader.pages[i].extract_text() or "" for i in range(min(len(reader.pages), pages)))
    sys.stdout.buffer.write(text[:MAX_TEXT].encode("utf-8", "replace"))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # any damaged PDF: no text (the caller sees the exit status)
        sys.exit(1)
