# Copyright 2026 Prisolve
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bank statements as a Norwegian bank sends them: ISO 20022 camt.053.001.02, one statement for the company's
account (its IBAN), one entry per booking with its transaction details: the other party's name and account
(BBAN, ``Othr/Id`` with scheme BBAN), and the KID as the structured creditor reference (``RmtInf/Strd/
CdtrRefInf``, type SCOR), which is where a bank puts the KID of a payment made with one."""

from dataclasses import dataclass
from decimal import Decimal

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
SKATTEETATEN_NAME = "SKATTEETATEN"


@dataclass
class Booking:
    """One booked entry: ``amount`` negative = paid out (DBIT), positive = received (CRDT)."""

    day: str
    amount: Decimal
    kid: str | None = None
    party: str = SKATTEETATEN_NAME
    party_account: str = "63450618162"
    text: str | None = None  # unstructured remittance information (Ustrd)
    reference: str = ""


def _entry(number, booking):
    amount = Decimal(str(booking.amount))
    indicator = "DBIT" if amount < 0 else "CRDT"
    side = "Cdtr" if amount < 0 else "Dbtr"
    value = f"{abs(amount):.2f}"
    if booking.kid:
        remittance = (
            "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
            f"<Ref>{booking.kid}</Ref></CdtrRefInf></Strd></RmtInf>"
        )
    elif booking.text:
        remittance = f"<RmtInf><Ustrd>{booking.text}</Ustrd></RmtInf>"
    else:
        remittance = ""
    reference = booking.reference or f"NO{booking.day.replace('-', '')}{number:06d}"
    return f"""
      <Ntry>
        <Amt Ccy="NOK">{value}</Amt>
        <CdtDbtInd>{indicator}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{booking.day}</Dt></BookgDt>
        <ValDt><Dt>{booking.day}</Dt></ValDt>
        <AcctSvcrRef>{reference}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{"ICDT" if amount < 0 else "RCDT"}</Cd>
          <SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>{reference}</AcctSvcrRef><EndToEndId>E2E{reference}</EndToEndId></Refs>
          <AmtDtls><TxAmt><Amt Ccy="NOK">{value}</Amt></TxAmt></AmtDtls>
          <RltdPties><{side}><Nm>{booking.party}</Nm></{side}>
            <{side}Acct><Id><Othr><Id>{booking.party_account}</Id><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr></Id>
            </{side}Acct></RltdPties>
          {remittance}
        </TxDtls></NtryDtls>
      </Ntry>"""


def camt053(iban, bookings, *, statement_id="STMT-1", opening=Decimal("1000000.00")):
    """The statement of the account ``iban`` with ``bookings`` (in that order), balances included."""
    days = sorted(b.day for b in bookings)
    closing = opening + sum((Decimal(str(b.amount)) for b in bookings), Decimal("0"))
    entries = "".join(_entry(number, booking) for number, booking in enumerate(bookings, start=1))

    def balance(code, amount, day):
        indicator = "CRDT" if amount >= 0 else "DBIT"
        return (
            f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="NOK">{abs(amount):.2f}</Amt>'
            f"<CdtDbtInd>{indicator}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
        )

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{statement_id}-MSG</MsgId><CreDtTm>{days[-1]}T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{statement_id}</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>{days[-1]}T06:00:00</CreDtTm>
      <FrToDt><FrDtTm>{days[0]}T00:00:00</FrDtTm><ToDtTm>{days[-1]}T23:59:59</ToDtTm></FrToDt>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>NOK</Ccy>
        <Svcr><FinInstnId><BIC>DNBANOKKXXX</BIC></FinInstnId></Svcr></Acct>
      {balance("OPBD", opening, days[0])}
      {balance("CLBD", closing, days[-1])}{entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>""".encode()


# The company's account at a Norwegian bank, as the CAMT files name it.
IBAN = "NO9386011117947"


def bank_journal(company):
    """The bank journal of ``company``'s account ``IBAN`` (the one the statements are imported into)."""
    return (
        company.env["account.journal"]
        .sudo()
        .create(
            {
                "name": "DNB driftskonto",
                "code": "DNB",
                "type": "bank",
                "company_id": company.id,
                "bank_acc_number": IBAN,
            }
        )
    )
