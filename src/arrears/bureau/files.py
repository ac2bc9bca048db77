"""The bureau files, pure: the Metro 2 fixed-width file (426-byte header, base segments, trailer) and
the PBOC delimited file. Every record is validated first; one invalid record refuses the whole file
with a report naming the account, the field and the reason (docs/credit-reporting.md lists the
layouts)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from arrears.bureau import rules

RECORD_LENGTH = 426
MAX_AMOUNT = 999_999_999  # nine digits of whole units


@dataclasses.dataclass(frozen=True)
class Line:
    """One account's record of the month, with the customer's identity."""

    ref: str
    name: str
    national_id: str
    phone: str
    address: str
    opened_on: dt.date
    credit_limit_fen: int
    pboc_status: str
    pboc_history: str
    metro2_status: str
    payment_history: str
    special_comment: str
    compliance_code: str
    balance_fen: int
    past_due_fen: int
    charged_off_fen: int
    dofd: dt.date | None
    dpd: int
    closed_on: dt.date | None


@dataclasses.dataclass(frozen=True)
class Problem:
    ref: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.ref}: {self.field}: {self.reason}"


@dataclasses.dataclass(frozen=True)
class Reporter:
    name: str = "ARREARS BANK"
    identifier: str = "ARREARS0001"
    address: str = ""
    phone: str = ""


# ASCII only: \d would also take other scripts' digits (Arabic-Indic, full-width), and $ a final newline.
_ASCII_TEXT = re.compile(r"\A[A-Za-z0-9 .,'&/#-]*\Z")
_SSN = re.compile(r"\A[0-9]{9}\Z")
_CN_ID = re.compile(r"\A[0-9]{17}[0-9X]\Z")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def cn_id_valid(number: str) -> bool:
    """A resident identity number of 18 characters with its ISO 7064 MOD 11-2 check character (GB 11643)."""
    if not _CN_ID.match(number):
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def _amount_problems(line: Line, out: list[Problem]) -> None:
    for field in ("credit_limit_fen", "balance_fen", "past_due_fen", "charged_off_fen"):
        value = getattr(line, field)
        if value < 0:
            out.append(Problem(line.ref, field, "must not be negative"))
        elif value // 100 > MAX_AMOUNT:
            out.append(Problem(line.ref, field, "does not fit in nine digits"))


def metro2_problems(line: Line) -> list[Problem]:
    out: list[Problem] = []
    if line.metro2_status not in rules.METRO2_STATUSES:
        out.append(
            Problem(line.ref, "metro2_status", f"{line.metro2_status!r} is not an Account Status Arrears reports")
        )
    if len(line.payment_history) != rules.HISTORY_MONTHS or set(line.payment_history) - rules.PHP_CODES:
        out.append(Problem(line.ref, "payment_history", "must be 24 characters of 0-6, B, D, E, L"))
    if line.metro2_status in rules.METRO2_NEGATIVE and line.dofd is None:
        out.append(Problem(line.ref, "dofd", "is required with a delinquent or charged-off status"))
    if line.metro2_status not in rules.METRO2_NEGATIVE and line.dofd is not None:
        out.append(Problem(line.ref, "dofd", "must be empty with a current or paid status"))
    surname, _ = split_name(line.name)
    if not surname:
        out.append(Problem(line.ref, "name", "is required"))
    elif not _ASCII_TEXT.match(line.name) or len(line.name) > 45:
        out.append(Problem(line.ref, "name", "must be Latin letters, at most 45 (Metro 2 is a single-byte format)"))
    if not _SSN.match(line.national_id):
        out.append(Problem(line.ref, "national_id", "must be a 9-digit social security number"))
    if line.phone and not re.fullmatch(r"[0-9]{10}", line.phone):
        out.append(Problem(line.ref, "phone", "must be 10 digits or empty"))
    if not _ASCII_TEXT.match(line.address) or len(line.address) > 32:
        out.append(Problem(line.ref, "address", "must be Latin letters and digits, at most 32"))
    if len(line.ref) > 30:
        out.append(Problem(line.ref, "ref", "must be at most 30 characters"))
    _amount_problems(line, out)
    return out


def pboc_problems(line: Line) -> list[Problem]:
    out: list[Problem] = []
    if line.pboc_status not in rules.PBOC_STATUSES:
        out.append(Problem(line.ref, "pboc_status", f"{line.pboc_status!r} is not a PBOC status"))
    if len(line.pboc_history) != rules.HISTORY_MONTHS or set(line.pboc_history) - rules.PBOC_STATUSES:
        out.append(Problem(line.ref, "pboc_history", "must be 24 PBOC status characters"))
    if not line.name.strip():
        out.append(Problem(line.ref, "name", "is required"))
    elif set(line.name) & {"|", "\n", "\r"}:
        out.append(Problem(line.ref, "name", "must not contain | or a line break"))
    if not cn_id_valid(line.national_id):
        out.append(Problem(line.ref, "national_id", "must be an 18-character resident identity number"))
    _amount_problems(line, out)
    return out


def split_name(name: str) -> tuple[str, str]:
    """Metro 2 surname and first name from one name: the last word is the surname."""
    words = name.split()
    if not words:
        return "", ""
    return words[-1], " ".join(words[:-1])


def _alpha(value: str, width: int) -> str:
    return value.upper()[:width].ljust(width)


def _num(value: int, width: int) -> str:
    return str(value).rjust(width, "0")


def _money(fen: int) -> str:
    return _num(max(fen, 0) // 100, 9)  # whole units, cents dropped


def _date(value: dt.date | None) -> str:
    return value.strftime("%m%d%Y") if value else "0" * 8


def metro2_header(reporter: Reporter, *, activity: dt.date, created: dt.date) -> str:
    text = (
        "0426"
        + "HEADER"
        + " " * 2  # cycle identifier
        + " " * 10  # Innovis program identifier
        + _alpha(reporter.identifier, 10)  # Equifax program identifier
        + " " * 5  # Experian program identifier
        + _alpha(reporter.identifier, 10)  # TransUnion program identifier
        + _date(activity)
        + _date(created)
        + _date(dt.date(2026, 1, 1))  # program date
        + _date(dt.date(2026, 1, 1))  # program revision date
        + _alpha(reporter.name, 40)
        + _alpha(reporter.address, 96)
        + _alpha(reporter.phone, 10)
        + _alpha("ARREARS", 40)  # software vendor
        + _alpha("1", 5)  # software version
        + " " * 10  # PRBC program identifier
    )
    return text.ljust(RECORD_LENGTH)


def metro2_base(line: Line, *, activity: dt.date, stamp: dt.datetime, reporter: Reporter) -> str:
    surname, first = split_name(line.name)
    closed = line.closed_on if line.metro2_status in (rules.PAID_CLOSED, rules.PAID_CHARGE_OFF) else None
    text = (
        "0426"  # 1-4 record descriptor word
        + "1"  # 5 processing indicator
        + stamp.strftime("%m%d%Y%H%M%S")  # 6-19 time stamp
        + " "  # 20 correction indicator
        + _alpha(reporter.identifier, 20)  # 21-40 identification number
        + "  "  # 41-42 cycle identifier
        + _alpha(line.ref, 30)  # 43-72 consumer account number
        + "R"  # 73 portfolio type: revolving
        + "18"  # 74-75 account type: credit card
        + _date(line.opened_on)  # 76-83 date opened
        + _money(line.credit_limit_fen)  # 84-92 credit limit
        + _money(line.credit_limit_fen)  # 93-101 highest credit
        + "REV"  # 102-104 terms duration
        + "M"  # 105 terms frequency
        + _money(0)  # 106-114 scheduled monthly payment
        + _money(0)  # 115-123 actual payment
        + line.metro2_status  # 124-125 account status
        + " "  # 126 payment rating
        + line.payment_history  # 127-150 payment history profile
        + _alpha(line.special_comment, 2)  # 151-152 special comment
        + _alpha(line.compliance_code, 2)  # 153-154 compliance condition code
        + _money(line.balance_fen)  # 155-163 current balance
        + _money(line.past_due_fen)  # 164-172 amount past due
        + _money(line.charged_off_fen)  # 173-181 original charge-off amount
        + _date(activity)  # 182-189 date of account information
        + _date(line.dofd)  # 190-197 FCRA compliance / date of first delinquency
        + _date(closed)  # 198-205 date closed
        + _date(None)  # 206-213 date of last payment
        + " "  # 214 interest type indicator
        + " " * 16  # 215-230 reserved
        + " "  # 231 consumer transaction type
        + _alpha(surname, 25)  # 232-256 surname
        + _alpha(first, 20)  # 257-276 first name
        + " " * 20  # 277-296 middle name
        + " "  # 297 generation code
        + _num(int(line.national_id or 0), 9)  # 298-306 social security number
        + _date(None)  # 307-314 date of birth
        + _num(int(line.phone or 0), 10)  # 315-324 telephone number
        + "1"  # 325 ECOA code: individual
        + "  "  # 326-327 consumer information indicator
        + "US"  # 328-329 country code
        + _alpha(line.address, 32)  # 330-361 first line of address
        + " " * 32  # 362-393 second line of address
        + " " * 20  # 394-413 city
        + " " * 2  # 414-415 state
        + " " * 9  # 416-424 postal code
        + " "  # 425 address indicator
        + " "  # 426 residence code
    )
    return text


TRAILER_STATUSES = ("11", "13", "64", "71", "78", "80", "82", "83", "84", "97")


def metro2_trailer(lines: list[Line]) -> str:
    text = "0426" + "TRAILER" + _num(len(lines), 9)
    for status in TRAILER_STATUSES:
        text += _num(sum(1 for line in lines if line.metro2_status == status), 9)
    text += _num(sum(1 for line in lines if line.national_id), 9)  # social security numbers
    text += _num(sum(1 for line in lines if line.phone), 9)  # telephone numbers
    return text.ljust(RECORD_LENGTH)


def metro2_file(
    lines: list[Line], *, activity: dt.date, stamp: dt.datetime, reporter: Reporter
) -> tuple[str, list[Problem]]:
    """The file's text, or the problems of every invalid record (and no text)."""
    problems = [p for line in lines for p in metro2_problems(line)]
    if problems:
        return "", problems
    records = [
        metro2_header(reporter, activity=activity, created=stamp.date()),
        *(metro2_base(line, activity=activity, stamp=stamp, reporter=reporter) for line in lines),
        metro2_trailer(lines),
    ]
    for i, text in enumerate(records):
        if len(text.encode("ascii")) != RECORD_LENGTH:  # a defect of this module, never of the data
            raise AssertionError(f"record {i} is {len(text)} bytes")
    return "\n".join(records) + "\n", []


PBOC_FIELDS = (
    "D",
    "account",
    "name",
    "id_type",
    "id_number",
    "opened_on",
    "credit_limit",
    "month",
    "status",
    "history",
    "balance",
    "past_due",
    "overdue_periods",
    "charged_off",
    "first_delinquency",
)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def pboc_file(
    lines: list[Line], *, month: dt.date, stamp: dt.datetime, reporter: Reporter
) -> tuple[str, list[Problem]]:
    """UTF-8, one record a line, fields separated by |: H header, D per account, T trailer."""
    problems = [p for line in lines for p in pboc_problems(line)]
    if problems:
        return "", problems
    out = [
        "|".join(
            ("H", "PBOC-CC-1", reporter.identifier, f"{month:%Y%m}", stamp.strftime("%Y%m%d%H%M%S"), str(len(lines)))
        )
    ]
    for line in lines:
        unpaid = line.pboc_status if line.pboc_status in "1234567" else "0"
        out.append(
            "|".join(
                (
                    "D",
                    line.ref,
                    line.name.strip(),
                    "0",  # identity type 0: resident identity card
                    line.national_id,
                    line.opened_on.isoformat(),
                    _yuan(line.credit_limit_fen),
                    f"{month:%Y-%m}",
                    line.pboc_status,
                    line.pboc_history,
                    _yuan(line.balance_fen),
                    _yuan(line.past_due_fen),
                    unpaid,
                    _yuan(line.charged_off_fen),
                    line.dofd.isoformat() if line.dofd else "",
                )
            )
        )
    out.append("|".join(("T", str(len(lines)), _yuan(sum(line.balance_fen for line in lines)))))
    return "\n".join(out) + "\n", []
