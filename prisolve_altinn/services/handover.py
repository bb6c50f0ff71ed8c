"""The one hand-over from fetching to booking.

Recording is quick and happens inside the fetch (the person's SMS session, the scheduled fetch); booking
happens in the background: the booking cron is triggered at once. Without an active booking cron, or when
the caller asks for it, the documents are booked here, the way the cron books a batch.
"""

from ..booking.pipeline import book_documents
from .copies import PROCESS_CRON


def hand_over(documents, inline=False):
    """Book ``documents``: "scheduled" when the booking cron will, "booked" when done here."""
    if not documents:
        return "nothing"
    cron = documents.env.ref(PROCESS_CRON, raise_if_not_found=False)
    if not inline and cron and cron.sudo().active:
        cron.sudo()._trigger()
        return "scheduled"
    for company in documents.company_id:
        book_documents(documents.filtered(lambda d, c=company: d.company_id == c).with_company(company))
    return "booked"
